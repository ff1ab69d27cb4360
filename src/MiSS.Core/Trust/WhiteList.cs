using System.Security.Cryptography.X509Certificates;
using System.Xml;

namespace MiSS.Core.Trust;

/// <summary>
/// The MSSanté white list (<c>listeblanchemssante.xml</c>, published by ANS): the domains of the trust space, the only
/// ones a MiSS message may be written to. Format: root <c>ListeBlancheMSSante</c> in namespace
/// <see cref="Namespace"/>, <c>DateDeGeneration</c>, then <c>ListeDomaines/Domaine</c> entries whose <c>Nom</c> is the
/// domain (the same name may appear on several entries, one per operator server). When signers are configured, the
/// enveloped XML-DSig signature is checked first (<see cref="WhiteListSignature"/>) and the domains are read from that
/// same verified document.
/// </summary>
public sealed class WhiteList
{
    /// <summary>The namespace of the list's elements.</summary>
    public const string Namespace = "https://listeblanche.mssante.fr/schema";

    /// <summary>Largest file read: the national list is about 4 MB; anything far bigger is not that list.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    WhiteList(IReadOnlySet<string> domains, DateTimeOffset? generatedAt, string source)
    {
        Domains = domains;
        GeneratedAt = generatedAt;
        Source = source;
    }

    /// <summary>The domains, lowercase, without duplicates.</summary>
    public IReadOnlySet<string> Domains { get; }

    /// <summary>When ANS generated the list (<c>DateDeGeneration</c>), if it says so.</summary>
    public DateTimeOffset? GeneratedAt { get; }

    /// <summary>True for the built-in development list.</summary>
    public bool IsBuiltIn { get; private set; }

    /// <summary>Where the list came from (a path, or "intégrée" for the built-in development list), for messages.</summary>
    public string Source { get; }

    /// <summary>The built-in development list: dev.mssante.test and bounce.mssante.test (the local mail server's domains).</summary>
    public static WhiteList Development()
    {
        using var stream = typeof(WhiteList).Assembly.GetManifestResourceStream("MiSS.Core.Trust.listeblanchemssante.dev.xml")
            ?? throw new InvalidOperationException("the built-in development white list is missing from the assembly");
        var list = Parse(stream, "liste de développement intégrée");
        list.IsBuiltIn = true;
        return list;
    }

    /// <summary>
    /// Reads a list file; a file that is missing, too big, not a well-formed list or (with <paramref name="signers"/>)
    /// not signed by one of them throws <see cref="WhiteListException"/>.
    /// </summary>
    public static WhiteList Load(string path, X509Certificate2Collection? signers = null)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WhiteListException($"liste blanche MSSanté illisible ({path}) : {e.Message}", e);
        }
        using (stream)
        {
            if (stream.Length > MaxBytes)
            {
                throw new WhiteListException($"liste blanche MSSanté trop volumineuse ({path}) : {stream.Length} octets");
            }
            return Parse(stream, path, signers);
        }
    }

    /// <summary>
    /// Parses a list. The whole document is read before anything is returned, so a truncated or malformed file never
    /// gives a partial list (ANS's own published copy once lacked its closing tag).
    /// </summary>
    public static WhiteList Parse(Stream xml, string source, X509Certificate2Collection? signers = null)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = signers is null,
            IgnoreWhitespace = signers is null, // a signed document is kept exactly as signed
            MaxCharactersInDocument = MaxBytes,
        };
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            if (signers is null)
            {
                return Read(reader, source);
            }
            var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            document.Load(reader);
            WhiteListSignature.Verify(document, signers, source);
            using var verified = new XmlNodeReader(document);
            return Read(verified, source);
        }
        catch (XmlException e)
        {
            throw new WhiteListException($"liste blanche MSSanté mal formée ({source}), ligne {e.LineNumber} : {e.Message}", e);
        }
    }

    static WhiteList Read(XmlReader reader, string source)
    {
        var domains = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? generatedAt = null;
        reader.MoveToContent();
        if (reader.LocalName != "ListeBlancheMSSante" || reader.NamespaceURI != Namespace)
        {
            throw new WhiteListException(
                $"liste blanche MSSanté invalide ({source}) : l'élément racine est <{reader.Name}>, pas <ListeBlancheMSSante> de l'espace {Namespace}");
        }
        // Depth: 0 root, 1 DateDeGeneration / ListeDomaines, 2 Domaine, 3 Nom.
        string? parent = null;
        reader.Read();
        while (!reader.EOF)
        {
            // ReadElementContentAsString moves to the node after the element: no Read() after it.
            if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Namespace && reader.Depth == 1)
            {
                parent = reader.LocalName;
                if (parent == "DateDeGeneration")
                {
                    if (DateTimeOffset.TryParse(reader.ReadElementContentAsString(), System.Globalization.CultureInfo.InvariantCulture,
                            System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
                    {
                        generatedAt = at;
                    }
                    continue;
                }
            }
            else if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Namespace && reader.Depth == 3
                && parent == "ListeDomaines" && reader.LocalName == "Nom")
            {
                var name = reader.ReadElementContentAsString().Trim().TrimEnd('.').ToLowerInvariant();
                if (!IsDomainName(name))
                {
                    throw new WhiteListException($"liste blanche MSSanté invalide ({source}) : nom de domaine incorrect « {name} »");
                }
                domains.Add(name);
                continue;
            }
            reader.Read();
        }
        if (domains.Count == 0)
        {
            throw new WhiteListException($"liste blanche MSSanté vide ({source}) : aucun domaine");
        }
        return new WhiteList(domains, generatedAt, source);
    }

    /// <summary>A host name of letters, digits and hyphens in dot-separated labels (what a mail domain may be).</summary>
    internal static bool IsDomainName(string name)
    {
        if (name.Length is 0 or > 253)
        {
            return false;
        }
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' || !label.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }
        return true;
    }
}

/// <summary>A white list file that cannot be used; the message is in French, for the user or the administrator.</summary>
public sealed class WhiteListException(string message, Exception? inner = null) : Exception(message, inner);
