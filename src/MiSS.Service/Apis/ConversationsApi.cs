using MiSS.Core.Conversations;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Storage;

namespace MiSS.Service.Apis;

/// <summary>/api/conversations: list, start, read one, change retention and members, end.</summary>
public static class ConversationsApi
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/conversations").WithTags("conversations");
        group.MapGet("/", ListAsync).WithSummary("Les conversations, la plus récente d'abord");
        group.MapPost("/", StartAsync).WithSummary("Démarre une conversation directe (peer) ou un groupe (name, members)")
            .Produces<ConversationDto>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{id:long}", GetAsync).WithSummary("Une conversation");
        group.MapPut("/{id:long}/retention", SetRetentionAsync).WithSummary("Change la durée de conservation pour tous les membres");
        group.MapPost("/{id:long}/members", AddMemberAsync).WithSummary("Ajoute un membre à un groupe")
            .Produces<ConversationDto>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapDelete("/{id:long}/members/{address}", RemoveMemberAsync).WithSummary("Retire un membre d'un groupe");
        group.MapPost("/{id:long}/end", EndAsync).WithSummary("Met fin à la conversation pour tous : ses messages sont effacés");
        return api;
    }

    static async Task<IReadOnlyList<ConversationDto>> ListAsync(ConversationStore conversations, MessageStore messages, CorrespondentNames names,
        CancellationToken ct)
    {
        var activity = await messages.ActivityAsync(ct: ct);
        var all = await conversations.ListAsync(ct);
        // Each correspondent looked up once, however many conversations they are in.
        var known = await names.NamesOfAsync(all.SelectMany(c => c.Membership.Members), ct);
        var list = new List<ConversationDto>();
        foreach (var conversation in all)
        {
            list.Add(await DescribeAsync(conversation, activity, messages, known, ct));
        }
        return list;
    }

    static async Task<IResult> GetAsync(long id, ConversationStore conversations, MessageStore messages, CorrespondentNames names,
        CancellationToken ct) =>
        await conversations.GetAsync(id, ct) is { } conversation
            ? Results.Ok(await DescribeAsync(conversation, await messages.ActivityAsync(conversation.Id, ct), messages,
                await names.NamesOfAsync(conversation.Membership.Members, ct), ct))
            : ApiProblems.NotFound($"conversation {id} inconnue");

    static async Task<IResult> StartAsync(NewConversationRequest request, ConversationService service, ConversationStore conversations,
        MessageStore messages, CorrespondentNames names, CancellationToken ct)
    {
        var patient = ApiMapping.ToPatient(request.Patient);
        Conversation conversation;
        if (!string.IsNullOrWhiteSpace(request.Peer))
        {
            conversation = await service.StartDirectAsync(request.Peer.Trim(), patient, ct);
        }
        else if (request is { Name: { } name, Members.Count: > 0 })
        {
            conversation = await service.CreateGroupAsync(name, request.Members, patient, ct);
        }
        else
        {
            throw new ArgumentException("indiquez « peer » (conversation directe) ou « name » et « members » (groupe)");
        }
        var dto = await DescribeAsync(conversation, await messages.ActivityAsync(conversation.Id, ct), messages,
            await names.NamesOfAsync(conversation.Membership.Members, ct), ct);
        return Results.Created($"/api/conversations/{conversation.Id}", dto);
    }

    static async Task<IResult> SetRetentionAsync(long id, RetentionRequest request, ConversationService service, ConversationStore conversations,
        MessageStore messages, CorrespondentNames names, CancellationToken ct)
    {
        await service.SetRetentionAsync(id, TimeSpan.FromSeconds(request.Seconds), ct);
        return await GetAsync(id, conversations, messages, names, ct);
    }

    static async Task<IResult> AddMemberAsync(long id, MemberRequest request, ConversationService service, ConversationStore conversations,
        MessageStore messages, CorrespondentNames names, CancellationToken ct)
    {
        await service.AddMemberAsync(id, request.Address?.Trim() ?? "", ct);
        return await GetAsync(id, conversations, messages, names, ct);
    }

    static async Task<IResult> RemoveMemberAsync(long id, string address, ConversationService service, ConversationStore conversations,
        MessageStore messages, CorrespondentNames names, CancellationToken ct)
    {
        await service.RemoveMemberAsync(id, address, ct);
        return await GetAsync(id, conversations, messages, names, ct);
    }

    static async Task<IResult> EndAsync(long id, ConversationService service, ConversationStore conversations, MessageStore messages,
        CorrespondentNames names, CancellationToken ct)
    {
        await service.EndAsync(id, ct);
        return await GetAsync(id, conversations, messages, names, ct);
    }

    /// <param name="known">The known names of (at least) the conversation's members, by address.</param>
    static async Task<ConversationDto> DescribeAsync(Conversation conversation,
        IReadOnlyDictionary<long, (int Unread, DateTimeOffset? NextExpiry)> activity, MessageStore messages,
        IReadOnlyDictionary<string, string> known, CancellationToken ct)
    {
        var (unread, nextExpiry) = activity.TryGetValue(conversation.Id, out var a) ? a : (0, null);
        var last = (await messages.ListConversationAsync(conversation.Id, 1, ct: ct)).LastOrDefault();
        var memberNames = conversation.Membership.Members.Where(known.ContainsKey)
            .ToDictionary(address => address, address => known[address], StringComparer.OrdinalIgnoreCase);
        return ApiMapping.ToDto(conversation, unread, nextExpiry, last, memberNames);
    }
}
