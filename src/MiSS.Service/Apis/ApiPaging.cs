namespace MiSS.Service.Apis;

/// <summary>
/// Paging of long lists: <c>limit</c> (how many, newest first) and <c>before</c> (the id of the oldest item already
/// read): a client asks for the next page with the smallest id it got.
/// </summary>
public static class ApiPaging
{
    /// <summary>The page size asked for, or <paramref name="byDefault"/>; outside 1..<paramref name="max"/> is a bad request.</summary>
    public static int Limit(int? limit, int byDefault, int max) => limit switch
    {
        null => byDefault,
        >= 1 when limit <= max => limit.Value,
        _ => throw new ArgumentException($"« limit » doit être entre 1 et {max}"),
    };
}
