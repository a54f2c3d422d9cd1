namespace Rustorrent.HelpBuilder.Model;

/// <summary>A `[text](uri)` of RELATED LINKS; the uri is empty for a link to another command's help.</summary>
internal sealed record RelatedLink(string Text, string Uri);
