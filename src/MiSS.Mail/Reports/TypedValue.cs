namespace MiSS.Mail.Reports;

/// <summary>
/// A report value of the form "type; value" (RFC 3464 §2.1.2): an address with its address-type ("rfc822",
/// "utf-8"), an MTA name with its mta-name-type ("dns"), or a diagnostic with its diagnostic-type ("smtp").
/// </summary>
/// <param name="Type">The type, lowercased; null when the field had none.</param>
/// <param name="Value">The value: an address without comments or angle brackets, an MTA name, or diagnostic text as written.</param>
public sealed record TypedValue(string? Type, string Value)
{
    /// <inheritdoc/>
    public override string ToString() => ReportFields.Format(this);
}
