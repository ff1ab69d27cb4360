namespace MiSS.Core.PractitionerDirectory;

/// <summary>
/// What the API and the web client search: the national directory when it has been imported, merged with the
/// certificate folder (<see cref="CertificateDirectory"/>), which stays the only source on a development instance
/// without an import and still adds the correspondents whose certificates were imported by hand. The instance's own
/// mailbox (<c>self</c>) is never a correspondent.
/// </summary>
public sealed class DirectorySearch(DirectoryStore national, CertificateDirectory certificates, string self)
{
    /// <summary>
    /// The national directory's ranked results first, then the certificate folder's that it does not already hold,
    /// <paramref name="limit"/> at most.
    /// </summary>
    public async Task<IReadOnlyList<DirectoryEntry>> SearchAsync(string query, int limit = DirectoryStore.DefaultLimit, CancellationToken ct = default)
    {
        var results = (await national.SearchAsync(query, limit + 1, ct))
            .Where(e => !string.Equals(e.Address, self, StringComparison.OrdinalIgnoreCase)).Take(limit).ToList();
        if (results.Count >= limit)
        {
            return results;
        }
        foreach (var entry in certificates.Search(query))
        {
            if (results.Count >= limit)
            {
                break;
            }
            if (!results.Exists(e => string.Equals(e.Address, entry.Address, StringComparison.OrdinalIgnoreCase)))
            {
                results.Add(entry);
            }
        }
        return results;
    }
}
