using MiSS.Core.Messaging;

namespace MiSS.Core.Conversations;

/// <summary>
/// The patient a conversation is about. Travels only inside the signed and encrypted part (X-MiSS-Patient); never in
/// the outer headers, never in logs. The INS matricule is sent only for a qualified identity (the caller's duty).
/// </summary>
/// <param name="FamilyName">Birth family name.</param>
/// <param name="GivenNames">Given names.</param>
/// <param name="BirthDate">Birth date, yyyy-MM-dd.</param>
/// <param name="Ins">The INS matricule (15 characters with its key), when the identity is qualified.</param>
/// <param name="InsOid">The INS authority OID (1.2.250.1.213.1.4.8 NIR, .9 NIA, .10 test, .11 demo).</param>
public sealed record PatientContext(string FamilyName, string GivenNames, string? BirthDate, string? Ins = null, string? InsOid = null)
{
    /// <summary>The X-MiSS-Patient header value: RFC 2231 parameters (non-ASCII names are encoded).</summary>
    public string ToHeaderValue()
    {
        var parameters = new List<(string, string)> { ("family", FamilyName), ("given", GivenNames) };
        if (BirthDate is not null)
        {
            parameters.Add(("birth", BirthDate));
        }
        if (Ins is not null)
        {
            parameters.Add(("ins", Ins));
            parameters.Add(("ins-oid", InsOid ?? "1.2.250.1.213.1.4.8"));
        }
        return HeaderParameters.Format(parameters);
    }

    /// <summary>Reads the header value; null when it names no patient.</summary>
    public static PatientContext? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var parameters = HeaderParameters.Parse(value);
        var family = parameters["family"];
        var given = parameters["given"];
        return family is null || given is null
            ? null
            : new PatientContext(family, given, parameters["birth"], parameters["ins"], parameters["ins"] is null ? null : parameters["ins-oid"]);
    }
}
