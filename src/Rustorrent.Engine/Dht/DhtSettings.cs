namespace Rustorrent.Dht;

/// <summary>How an engine runs its DHT node: on or off, which routers it bootstraps from, where it keeps its
/// routing table between sessions.</summary>
internal sealed record DhtSettings
{
    /// <summary>Environment variable: comma-separated host:port routers instead of the public ones ("none" = none).</summary>
    public const string RoutersVariable = "RUSTORRENT_DHT_ROUTERS";

    /// <summary>Environment variable: the folder for the engine's files (the DHT routing table).</summary>
    public const string DataFolderVariable = "RUSTORRENT_DATA";

    /// <summary>Environment variable: "1" turns the DHT off for the whole session.</summary>
    public const string DisableVariable = "RUSTORRENT_NO_DHT";

    /// <summary>A node that reaches nothing by itself and keeps nothing: for engines made by tests.</summary>
    public static DhtSettings Isolated { get; } = new() { Routers = [], DataFolder = null };

    public bool Enabled { get; init; } = true;

    /// <summary>Bootstrap routers (host:port); null means <see cref="DhtNodeOptions.DefaultRouters"/>.</summary>
    public IReadOnlyList<string>? Routers { get; init; }

    /// <summary>Where the routing table is saved and reloaded; null keeps nothing.</summary>
    public string? DataFolder { get; init; }

    public string? StateFile => DataFolder is null ? null : Path.Combine(DataFolder, "dht.dat");

    /// <summary>The shared engine's settings: the public routers and the user's data folder, unless the
    /// environment says otherwise (CI jobs and tests keep the DHT on their own machine this way).</summary>
    public static DhtSettings FromEnvironment()
    {
        var routers = Environment.GetEnvironmentVariable(RoutersVariable);
        var folder = Environment.GetEnvironmentVariable(DataFolderVariable);
        return new DhtSettings
        {
            Enabled = Environment.GetEnvironmentVariable(DisableVariable) != "1",
            Routers = routers is null ? null
                : routers.Trim() is "" or "none" ? []
                : routers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            DataFolder = string.IsNullOrEmpty(folder)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "Rustorrent")
                : folder,
        };
    }
}
