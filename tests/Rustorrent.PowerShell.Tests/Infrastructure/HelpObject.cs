using System.Collections;
using System.Management.Automation;

namespace Rustorrent.PowerShell.Tests.Infrastructure;

/// <summary>Reads the objects Get-Help returns (PSObjects with note properties built from MAML), where a list of
/// one is often the element itself.</summary>
internal static class HelpObject
{
    public static object? Property(object? target, string name) =>
        target is null ? null : PSObject.AsPSObject(target).Properties[name]?.Value;

    public static object? Path(object? target, params string[] names) =>
        names.Aggregate(target, Property);

    public static IReadOnlyList<object> Many(object? value) => value switch
    {
        null => [],
        PSObject { BaseObject: IEnumerable and not string } wrapped => Many(wrapped.BaseObject),
        string => [value],
        IEnumerable items => items.Cast<object>().ToList(),
        _ => [value],
    };

    public static string Text(object? value) => value switch
    {
        null => "",
        PSObject { BaseObject: string s } => s,
        _ => value.ToString() ?? "",
    };

    /// <summary>The paragraphs of a description-like property: an array of objects with a Text property. Get-Help's
    /// MAML reader ends each paragraph with a line break, which is not part of the text.</summary>
    public static List<string> Paragraphs(object? description) =>
        Many(description).Select(p => Text(Property(p, "Text")).TrimEnd('\r', '\n')).ToList();
}
