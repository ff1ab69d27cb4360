using System.Security.Cryptography.X509Certificates;

namespace MiSS.Core.Trust;

/// <summary>
/// The domains a MiSS message may be written to: the MSSanté white list, plus the configured Apicrypt domains.
/// Writing health data to any other address (a personal mailbox, a typo) is what the trust space forbids, so every
/// path that would send checks here first: starting a conversation, adding a member, and the outbox again before
/// sealing (docs/security.md, "Trust space").
/// </summary>
public sealed class TrustSpace
{
    readonly HashSet<string> _apicrypt;
    readonly Lock _replacing = new();
    WhiteList _list;

    /// <summary>
    /// A trust space of <paramref name="list"/> and the Apicrypt domains given; lists loaded later must be signed by one
    /// of <paramref name="signers"/> when given.
    /// </summary>
    public TrustSpace(WhiteList list, IEnumerable<string> apicryptDomains, X509Certificate2Collection? signers = null)
    {
        _list = list;
        Signers = signers;
        _apicrypt = new HashSet<string>(StringComparer.Ordinal);
        foreach (var domain in apicryptDomains)
        {
            var name = domain.Trim().TrimEnd('.').ToLowerInvariant();
            if (!WhiteList.IsDomainName(name))
            {
                throw new WhiteListException($"domaine Apicrypt incorrect dans MiSS:TrustSpace:ApicryptDomains : « {domain} »");
            }
            _apicrypt.Add(name);
        }
    }

    /// <summary>
    /// The trust space the options describe: the white list at <see cref="Configuration.TrustSpaceOptions.WhiteListPath"/>,
    /// or the built-in development list (only the reserved .test domains of the local mail server) when none is set.
    /// </summary>
    public static TrustSpace From(Configuration.TrustSpaceOptions options)
    {
        var signers = string.IsNullOrWhiteSpace(options.WhiteListSignerPath) ? null : WhiteListSignature.LoadSigners(options.WhiteListSignerPath);
        var list = string.IsNullOrWhiteSpace(options.WhiteListPath) ? WhiteList.Development() : WhiteList.Load(options.WhiteListPath, signers);
        return new TrustSpace(list, options.ApicryptDomains, signers);
    }

    /// <summary>The MSSanté list in use.</summary>
    public WhiteList List => Volatile.Read(ref _list);

    /// <summary>The certificates allowed to sign the white list (<c>MiSS:TrustSpace:WhiteListSignerPath</c>), or null: unsigned lists are taken.</summary>
    public X509Certificate2Collection? Signers { get; }

    /// <summary>The Apicrypt domains allowed besides the list.</summary>
    public IReadOnlySet<string> ApicryptDomains => _apicrypt;

    /// <summary>
    /// Reads the list again from <paramref name="path"/>. A file that cannot be used leaves the current list in place
    /// (a bad download must not empty the trust space, nor half-fill it) and throws <see cref="WhiteListException"/>.
    /// </summary>
    public void Reload(string path) => Replace(WhiteList.Load(path, Signers));

    /// <summary>
    /// Puts <paramref name="list"/> (already parsed and, with signers, verified) in place at once. A list generated
    /// before the one in place is refused with <see cref="WhiteListException"/>: replaying an older signed list must not
    /// bring back a domain ANS has since removed. The built-in development list gives way to any list.
    /// </summary>
    public void Replace(WhiteList list)
    {
        lock (_replacing)
        {
            var current = List;
            if (!current.IsBuiltIn && current.GeneratedAt is { } inPlace && list.GeneratedAt is { } generated && generated < inPlace)
            {
                throw new WhiteListException($"liste blanche MSSanté refusée ({list.Source}) : générée le {generated:dd/MM/yyyy HH:mm} UTC, " +
                    $"plus ancienne que celle en place ({inPlace:dd/MM/yyyy HH:mm} UTC)");
            }
            Volatile.Write(ref _list, list);
        }
    }

    /// <summary>Whether <paramref name="address"/> is in the trust space (its domain, exactly, without case).</summary>
    public bool Allows(string address)
    {
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return false;
        }
        var domain = address[(at + 1)..].Trim().TrimEnd('.').ToLowerInvariant();
        return List.Domains.Contains(domain) || _apicrypt.Contains(domain);
    }

    /// <summary>The French reason an address is refused, shown to the user as is.</summary>
    public static string RefusalReason(string address) =>
        $"{address} n'appartient pas à l'espace de confiance MSSanté : son domaine n'est ni sur la liste blanche MSSanté ni parmi " +
        "les domaines Apicrypt configurés, aucun message ne lui est envoyé";

    /// <summary>A bare addr-spec (local@domain), exactly as MimeKit reads it: no name, brackets, spaces, controls or a second address.</summary>
    static bool IsValidAddress(string address) =>
        address.Length is > 2 and <= 254 && !address.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)) &&
        MimeKit.MailboxAddress.TryParse(address, out var parsed) && parsed.Address == address && address.LastIndexOf('@') is > 0 and var at &&
        at < address.Length - 1;

    /// <summary>Throws <see cref="OutsideTrustSpaceException"/> unless <paramref name="address"/> is a valid address in the trust space.</summary>
    public void Require(string address)
    {
        if (!IsValidAddress(address))
        {
            throw new ArgumentException($"adresse invalide : {address}");
        }
        if (!Allows(address))
        {
            throw new OutsideTrustSpaceException(address, RefusalReason(address));
        }
    }
}

/// <summary>An address outside the trust space: refused before anything is stored or sent (the API answers 422).</summary>
public sealed class OutsideTrustSpaceException(string address, string message) : ArgumentException(message)
{
    /// <summary>The refused address.</summary>
    public string Address { get; } = address;
}
