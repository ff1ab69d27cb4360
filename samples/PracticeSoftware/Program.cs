// How a practice-management program uses MiSS: write to a colleague about the patient whose record is open, then
// follow the message on the live event stream until it is delivered (or read). Only the local API (docs/api.md).
//
//   dotnet run --project samples/PracticeSoftware -- URL TOKEN COLLEAGUE
//   URL: the service's API (http://localhost:7480); TOKEN: a token from `miss token create NAME`; COLLEAGUE: an address.
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: PracticeSoftware URL TOKEN COLLEAGUE-ADDRESS");
    return 2;
}
var (url, token, colleague) = (args[0], args[1], args[2]);
using var api = new HttpClient { BaseAddress = new Uri(url), Timeout = Timeout.InfiniteTimeSpan };
api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

var status = await ReadAsync(await api.GetAsync("/api/status"));
Console.WriteLine($"MiSS de {status["displayName"]} <{status["mailbox"]}>, boîte {((bool)status["inboxConnected"]! ? "connectée" : "déconnectée")}");

// Who is the colleague? The directory says (the search is accent- and case-insensitive).
var found = (await ReadAsync(await api.GetAsync($"/api/directory?q={Uri.EscapeDataString(colleague)}"))).AsArray();
Console.WriteLine(found.Count > 0 ? $"Annuaire : {found[0]!["displayName"]}, RPPS {found[0]!["rpps"]}" : "Annuaire : pas de fiche");

// The conversation about this patient (the same one is found again next time), then the message.
var patient = new { family = "DURAND", given = "Léa", birth = "1948-05-12", ins = "248057512345678", insOid = "1.2.250.1.213.1.4.10" };
var conversation = await ReadAsync(await api.PostAsJsonAsync("/api/conversations", new { peer = colleague, patient }));
Console.WriteLine($"Conversation #{conversation["id"]} au sujet de {conversation["patient"]!["family"]} {conversation["patient"]!["given"]}");

// Listen before writing, so that no event is missed.
using var events = await api.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
using var stream = new StreamReader(await events.Content.ReadAsStreamAsync());

var message = await ReadAsync(await api.PostAsJsonAsync($"/api/conversations/{conversation["id"]}/messages",
    new { text = "Bonjour, Mme DURAND sort demain : pouvez-vous passer refaire le pansement jeudi ?" }));
var messageId = (string)message["messageId"]!;
Console.WriteLine($"Message enregistré : {messageId} ({message["state"]})");

using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
string? eventName = null;
while (await stream.ReadLineAsync(patience.Token) is { } line)
{
    if (line.StartsWith("event: ", StringComparison.Ordinal))
    {
        eventName = line["event: ".Length..];
    }
    else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "state" && line.Contains(messageId, StringComparison.Ordinal))
    {
        var now = await ReadAsync(await api.GetAsync($"/api/messages/{Uri.EscapeDataString(messageId)}"));
        var recipient = now["recipients"]![0]!;
        Console.WriteLine($"Événement : {recipient["address"]} → {recipient["state"]}");
        if ((string?)recipient["state"] is "delivered" or "read" or "failed")
        {
            return 0;
        }
    }
}
return 1;

// Every error is an RFC 9457 problem document whose "detail" is meant for the user.
static async Task<JsonNode> ReadAsync(HttpResponseMessage response)
{
    var body = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        var detail = JsonNode.Parse(body)?["detail"];
        throw new InvalidOperationException($"MiSS a refusé ({(int)response.StatusCode}) : {detail ?? body}");
    }
    return JsonNode.Parse(body)!;
}
