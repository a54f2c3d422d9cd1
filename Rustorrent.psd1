# Module manifest for Rustorrent. `dotnet build` lays the binaries out under bin/ beside this file;
# build.ps1 -Task Package copies this manifest with bin/ into a publishable module folder.
@{
    RootModule           = 'bin/Rustorrent.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '5d0c1d64-2f6e-4b7e-9a43-9f1f6f3f7c21'
    Author               = 'Rustorrent contributors'
    CompanyName          = 'Rustorrent'
    Copyright            = '(c) 2026 Rustorrent contributors. MIT License.'
    Description          = 'A scriptable BitTorrent client: read .torrent files, magnet links and info hashes into objects, find peers, and download torrents as background jobs.'
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('bin/Rustorrent.format.ps1xml')
    CmdletsToExport      = @('Get-TorrentInfo', 'Resolve-TorrentPeers', 'Start-TorrentDownload', 'Get-TorrentJob')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('BitTorrent', 'Torrent', 'Magnet', 'P2P', 'Download', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://github.com/rustorrent/Rustorrent/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/rustorrent/Rustorrent'
            ReleaseNotes = 'Get-TorrentInfo (.torrent files v1/v2/hybrid, magnet links, info hashes, metadata from peers), Resolve-TorrentPeers (trackers and DHT), Start-TorrentDownload (background jobs, magnets, seeding, resume), Get-TorrentJob.'
        }
    }
}
