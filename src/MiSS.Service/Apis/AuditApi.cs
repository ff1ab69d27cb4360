using MiSS.Core.Audit;

namespace MiSS.Service.Apis;

/// <summary>
/// /api/audit: the tamper-evident trail (who sent, received, quarantined, exported, erased what, and when; never content)
/// for a practice's administrator or a pilot's compliance tooling, and its verification against a head noted earlier.
/// </summary>
public static class AuditApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/audit").WithTags("audit");
        group.MapGet("/", ListAsync)
            .WithSummary("Le journal d'audit, du plus ancien au plus récent ; par pages : after (numéro) et limit (100, au plus 1000)")
            .Produces<IReadOnlyList<AuditRecordDto>>().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/verify", VerifyAsync)
            .WithSummary("Vérifie la chaîne du journal (et, avec head=NUMÉRO:EMPREINTE noté plus tôt, que sa fin n'a pas été coupée ni réécrite)")
            .Produces<AuditVerificationDto>().ProducesProblem(StatusCodes.Status400BadRequest);
        return api;
    }

    static async Task<IReadOnlyList<AuditRecordDto>> ListAsync(AuditTrail audit, CancellationToken ct, long? after = null, int? limit = null)
    {
        if (after < 0)
        {
            throw new ArgumentException("« after » doit être un numéro d'enregistrement positif");
        }
        return (await audit.ListAsync(after ?? 0, ApiPaging.Limit(limit, 100, 1000), ct))
            .Select(r => new AuditRecordDto(r.Seq, r.At, r.Kind, r.MessageId, r.Conversation, r.Actor, r.Detail, r.PrevHash, r.Hash))
            .ToList();
    }

    static async Task<AuditVerificationDto> VerifyAsync(AuditTrail audit, CancellationToken ct, string? head = null)
    {
        AuditHead? remembered = null;
        if (head is not null && (remembered = AuditHead.TryParse(head)) is null)
        {
            throw new ArgumentException("« head » doit avoir la forme NUMÉRO:EMPREINTE (64 chiffres hexadécimaux en minuscules)");
        }
        var result = await audit.VerifyAsync(remembered, ct);
        return new AuditVerificationDto(result.IsIntact, result.Records, result.Head?.ToString(), result.BrokenAt,
            result.Break is { } broken ? char.ToLowerInvariant(broken.ToString()[0]) + broken.ToString()[1..] : null, result.Detail);
    }
}
