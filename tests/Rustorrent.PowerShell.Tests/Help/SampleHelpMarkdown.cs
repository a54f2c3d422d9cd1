namespace Rustorrent.PowerShell.Tests.Help;

/// <summary>A small, complete help file in platyPS schema 2.0.0 for the converter tests.</summary>
internal static class SampleHelpMarkdown
{
    public const string Text = """
        ---
        external help file: Sample.dll-Help.xml
        Module Name: Sample
        online version: https://example.org/Get-Thing
        schema: 2.0.0
        ---

        # Get-Thing

        ## SYNOPSIS
        Gets things.

        ## SYNTAX

        ### Name (Default)
        ```
        Get-Thing [-Name] <String[]> [-Force] [<CommonParameters>]
        ```

        ### Id
        ```
        Get-Thing -Id <Int32> [-Force] [<CommonParameters>]
        ```

        ## DESCRIPTION
        The `Get-Thing` cmdlet
        gets things.

        It never changes them.

        ## EXAMPLES

        ### Example 1: Get one thing
        ```powershell
        # a comment, not a heading
        Get-Thing -Name a
        ```

        ```Output
        a
        ```

        Gets the thing named a.

        ## PARAMETERS

        ### -Force
        Gets hidden things too.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: False
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Id
        The id.

        ```yaml
        Type: Int32
        Parameter Sets: Id
        Aliases: Identity, I

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName, ByValue)
        Accept wildcard characters: False
        ```

        ### -Name
        The names.
        - first item
        - second item

        ```yaml
        Type: String[]
        Parameter Sets: Name
        Aliases:
        Accepted values: a, b

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: True
        ```

        ### CommonParameters
        This cmdlet supports the common parameters.

        ## INPUTS

        ### System.String[]
        Names.

        ## OUTPUTS

        ### Sample.Thing
        A thing.

        ## NOTES
        A note.

        ## RELATED LINKS

        [Set-Thing]()

        [Docs](https://example.org/docs)
        """;
}
