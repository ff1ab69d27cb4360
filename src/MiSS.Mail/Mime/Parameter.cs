namespace MiSS.Mail.Mime;

/// <summary>A Content-Type or Content-Disposition parameter with its decoded value.</summary>
public sealed record Parameter(string Name, string Value);
