using Microsoft.Extensions.Logging.Abstractions;
using MiSS.Core.Expiry;
using MiSS.Core.Storage;

namespace MiSS.Core.Tests.Transport;

/// <summary>How the eraser of expired server copies removes them, with and without UIDPLUS, against a scripted IMAP peer.</summary>
[CancelAfter(30_000)]
public class ServerCopyEraserTests
{
    static async Task<(int Erased, List<string> Commands)> EraseAsync(bool uidPlus)
    {
        await using var peer = ScriptedImapPeer.Start(uidPlus: uidPlus);
        var eraser = new ServerCopyEraser(TransportTestOptions.For(peer.Port), NullLogger<ServerCopyEraser>.Instance);
        var erased = await eraser.EraseAsync([new ServerErasure(1, "expire@dev.mssante.test")], CancellationToken.None);
        return (erased, [.. peer.Commands]);
    }

    [Test]
    public async Task The_copy_is_found_by_its_Message_ID_flagged_and_expunged_by_UID()
    {
        var (erased, commands) = await EraseAsync(uidPlus: true);

        Assert.That(erased, Is.EqualTo(1));
        Assert.That(commands, Has.Some.Matches<string>(c => c!.StartsWith("UID SEARCH", StringComparison.Ordinal) && c.Contains("<expire@dev.mssante.test>", StringComparison.Ordinal)));
        Assert.That(commands, Has.Some.Matches<string>(c => c!.StartsWith("UID STORE 7 +FLAGS.SILENT (\\Deleted)", StringComparison.Ordinal)));
        Assert.That(commands, Has.Some.EqualTo("UID EXPUNGE 7"));
        Assert.That(commands, Has.None.EqualTo("EXPUNGE"));
    }

    [Test]
    public async Task Without_UIDPLUS_the_copy_is_still_erased_with_a_plain_EXPUNGE()
    {
        var (erased, commands) = await EraseAsync(uidPlus: false);

        Assert.That(erased, Is.EqualTo(1));
        Assert.That(commands, Has.Some.EqualTo("EXPUNGE"));
        Assert.That(commands, Has.None.StartsWith("UID EXPUNGE"));
    }
}
