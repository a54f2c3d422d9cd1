namespace Rustorrent.Trackers;

/// <summary>Why an announce or scrape failed, so that callers can tell a refusal from a network problem.</summary>
public enum TrackerErrorKind
{
    /// <summary>The tracker could not be reached: name resolution failed, connection refused or reset.</summary>
    Unreachable,

    /// <summary>No complete reply arrived within the time allowed.</summary>
    Timeout,

    /// <summary>The tracker answered and refused: "failure reason" (HTTP) or the error action (UDP).</summary>
    TrackerFailure,

    /// <summary>The HTTP status was not a success and not a redirect.</summary>
    HttpStatus,

    /// <summary>A redirect could not be followed: a loop, too many, no Location, or not http/https.</summary>
    Redirect,

    /// <summary>The reply was larger than the limit.</summary>
    ResponseTooLarge,

    /// <summary>The reply was garbage, truncated, or broke a rule of the protocol.</summary>
    InvalidResponse,

    /// <summary>The request cannot be made to this tracker: an unknown scheme, or no scrape convention (BEP 48).</summary>
    Unsupported,
}
