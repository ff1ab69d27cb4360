using System.Collections.Concurrent;

namespace MiSS.Core.TrustRefresh;

/// <summary>What one downloaded source is: a CA's revocation list, the MSSanté white list or the national directory.</summary>
public enum TrustSourceKind
{
    /// <summary>A certificate revocation list (<c>MiSS:Trust:CrlUrls</c>).</summary>
    RevocationList,

    /// <summary>The MSSanté white list (<c>MiSS:TrustSpace:WhiteListUrl</c>).</summary>
    WhiteList,

    /// <summary>The national directory (<c>MiSS:Directory:ExtractionUrl</c> or <c>MiSS:Directory:FhirUrl</c>), kept by <c>DirectoryRefresher</c>.</summary>
    Directory,
}

/// <summary>
/// The state of one source: when it was last downloaded and taken, and why the last attempt failed, if it did
/// (<see cref="LastError"/> is cleared by the next success). Reasons are French and never quote the content.
/// </summary>
public sealed record TrustSourceState(TrustSourceKind Kind, string Source, DateTimeOffset? LastSuccess, DateTimeOffset? LastAttempt, string? LastError);

/// <summary>
/// The state of every configured source, as <c>GET /api/status</c> shows it; written by <see cref="TrustRefresher"/> and
/// <see cref="PractitionerDirectory.DirectoryRefresher"/>.
/// </summary>
public sealed class TrustRefreshStatus
{
    readonly ConcurrentDictionary<string, TrustSourceState> _sources = new(StringComparer.Ordinal);
    long _rounds;

    /// <summary>The sources, in a stable order (kind, then address).</summary>
    public IReadOnlyList<TrustSourceState> Sources => _sources.Values.OrderBy(s => s.Kind).ThenBy(s => s.Source, StringComparer.Ordinal).ToList();

    /// <summary>How many refresh rounds have completed since start (of every refresher writing here).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>The state of <paramref name="source"/>, or null before its first attempt.</summary>
    public TrustSourceState? Of(string source) => _sources.GetValueOrDefault(source);

    internal void Succeeded(TrustSourceKind kind, string source, DateTimeOffset at) =>
        _sources[source] = new TrustSourceState(kind, source, at, at, null);

    internal void Failed(TrustSourceKind kind, string source, DateTimeOffset at, string reason) =>
        _sources.AddOrUpdate(source, _ => new TrustSourceState(kind, source, null, at, reason),
            (_, previous) => previous with { LastAttempt = at, LastError = reason });

    internal void RoundCompleted() => Interlocked.Increment(ref _rounds);
}
