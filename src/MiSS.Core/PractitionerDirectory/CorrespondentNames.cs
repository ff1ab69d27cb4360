using MiSS.Core.Secure;
using MiSS.Core.Storage;

namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// The name to show for a correspondent's address instead of the bare address: the national directory's, else the one
/// in a certificate known for that address (learned from their verified signature, the directory or an import) that
/// still chains to the trust anchors. None when neither knows the address: then the address itself is shown, never a
/// name the sender chose.
/// </summary>
public sealed class CorrespondentNames(DirectoryStore directory, MessageStore certificates, SmimeTrust trust)
{
    /// <summary>The name for <paramref name="address"/>, or null when none is known.</summary>
    public async Task<string?> NameOfAsync(string address, CancellationToken ct = default)
    {
        if (await directory.FindAsync(address, ct) is { DisplayName: { Length: > 0 } listed })
        {
            return listed;
        }
        foreach (var certificate in await certificates.FindCertificatesAsync(address, ct))
        {
            using (certificate)
            {
                if (trust.Check(certificate) is null && PractitionerIdentity.FromCertificate(certificate).DisplayName is { Length: > 0 } named)
                {
                    return named;
                }
            }
        }
        return null;
    }

    /// <summary>The known names of <paramref name="addresses"/>, by address (those without one are left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> NamesOfAsync(IEnumerable<string> addresses, CancellationToken ct = default)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var address in addresses.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (await NameOfAsync(address, ct) is { } name)
            {
                names[address] = name;
            }
        }
        return names;
    }
}
