using Microsoft.Data.Sqlite;
using MiSS.Core.Messaging;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Secure;
using MiSS.Core.Storage;
using static MiSS.Core.Tests.PractitionerDirectory.ExtractionRows;

namespace MiSS.Core.Tests.PractitionerDirectory;

/// <summary>
/// The national directory in its own file, directory.db, beside the mailbox's store miss.db: an import does not hold the
/// store's write lock, and an older store's directory rows move over when it is opened.
/// </summary>
public class DirectoryFileTests
{
    string _directory = "";

    string StorePath => Path.Combine(_directory, MailboxSchema.FileName);

    string DirectoryPath => Path.Combine(_directory, DirectoryDatabase.FileName);

    [SetUp]
    public void Create() => _directory = Directory.CreateTempSubdirectory("miss-dirfile-").FullName;

    [TearDown]
    public void Clean()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task While_an_import_is_open_a_message_is_stored_and_another_marked_sent_without_waiting()
    {
        var messages = MessageStore.Open(StorePath, TimeProvider.System);
        var directory = DirectoryStore.Open(DirectoryPath);
        var outgoing = await messages.EnqueueAsync("claire.martin@medecin.mssante.fr", ["paul.durand@medecin.mssante.fr"], "Sujet", "Texte");
        var importing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        // The import writes its rows, then its check holds the transaction open until the store has been written to.
        var import = Task.Run(() => new MssanteExtractionImporter(directory).ImportAsync(new MemoryStream(Extraction(
                Row("PER", "claire.martin@medecin.mssante.fr", "MARTIN", "Claire"),
                Row("PER", "ines.roux@medecin.mssante.fr", "ROUX", "Inès"))),
            check: _ =>
            {
                importing.SetResult();
                return release.Wait(TimeSpan.FromSeconds(60)) ? null : "le test n'a pas libéré l'import";
            }));
        try
        {
            await importing.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var signature = new SignatureRecord(OpenStatus.Verified, "signature vérifiée", "Paul DURAND", "10101234606", true);
            var received = new ReceivedMessage("m1@x.test", "paul.durand@medecin.mssante.fr", "Paul DURAND", ["claire.martin@medecin.mssante.fr"],
                "Sujet", "Texte", DateTimeOffset.UtcNow, signature);

            // In the same file, both would wait for the import's write lock (the 30 s busy timeout).
            var stored = await messages.SaveReceivedAsync(received).WaitAsync(TimeSpan.FromSeconds(2));
            await messages.MarkSentAsync(outgoing.Id).WaitAsync(TimeSpan.FromSeconds(2));

            Assert.That(stored, Is.True);
            Assert.That(import.IsCompleted, Is.False, "the import was still open while the store was written to");
        }
        finally
        {
            release.Set();
        }
        Assert.That((await import).Imported, Is.EqualTo(2));
        Assert.That((await messages.GetAsync(outgoing.MessageId))!.State, Is.EqualTo(MessageState.Sent));
        Assert.That(await messages.ContainsAsync("m1@x.test"), Is.True);
        Assert.That((await directory.SearchAsync("roux")).Single().Address, Is.EqualTo("ines.roux@medecin.mssante.fr"));
    }

    [Test]
    public async Task Opening_an_older_store_moves_its_directory_rows_into_directory_db_and_drops_its_tables()
    {
        // A store as MiSS left it before the directory had its own file: the first 11 migrations, with a directory imported.
        var older = MailboxSchema.Schema with { Migrations = MailboxSchema.Migrations[..MailboxSchema.DirectoryMoved] };
        var old = StoreDatabase.Open(StorePath, older);
        await old.ExecuteAsync("""
            INSERT INTO directory (address, mailbox_type, family_name, given_name, display_name, rpps, profession, city, postcode, family_key, source)
            VALUES ('claire.martin@medecin.mssante.fr', 'personnelle', 'MARTIN', 'Claire', 'MARTIN Claire', '10101234564', 'Médecin', 'NEVERS', '58000', 'martin', 'mssante'),
                   ('helene.lefevre@pro.mssante.fr', 'personnelle', 'LEFÈVRE', 'Hélène', 'LEFÈVRE Hélène', NULL, 'Sage-Femme', 'SAINT-ÉTIENNE', '42000', 'lefevre', 'fhir');
            INSERT INTO directory_fts (directory_fts) VALUES ('rebuild');
            """, CancellationToken.None);
        SqliteConnection.ClearAllPools();
        Assert.That(File.Exists(DirectoryPath), Is.False);

        var store = StoreDatabase.Open(StorePath);

        Assert.That(await store.QueryAsync("PRAGMA user_version", r => r.GetInt64(0), CancellationToken.None), Is.EqualTo(new[] { 12L }));
        Assert.That(await store.QueryAsync("SELECT name FROM sqlite_master WHERE name LIKE 'directory%'", r => r.GetString(0), CancellationToken.None),
            Is.Empty, "the store no longer holds the directory's tables");
        var directory = DirectoryStore.Open(DirectoryPath);
        Assert.That(await directory.CountAsync(), Is.EqualTo(2));
        Assert.That(await directory.CountAsync("fhir"), Is.EqualTo(1));
        Assert.That((await directory.SearchAsync("lefevre helene")).Single().Address, Is.EqualTo("helene.lefevre@pro.mssante.fr"));
        Assert.That((await directory.SearchAsync("nevers")).Single().Rpps, Is.EqualTo("10101234564"));
        Assert.That(await directory.FindAsync("Claire.Martin@medecin.mssante.fr"), Is.EqualTo(new DirectoryPerson("MARTIN Claire", "Claire", "MARTIN", "10101234564")));
    }

    [Test]
    public async Task A_new_store_has_no_directory_tables_and_creates_no_directory_file()
    {
        var store = StoreDatabase.Open(StorePath);

        Assert.That(await store.QueryAsync("SELECT name FROM sqlite_master WHERE name LIKE 'directory%'", r => r.GetString(0), CancellationToken.None),
            Is.Empty);
        Assert.That(File.Exists(DirectoryPath), Is.False, "nothing to copy: the directory file is the directory's own business");
    }

    [Test]
    public async Task The_directory_file_keeps_its_own_schema_version()
    {
        var directory = DirectoryStore.Open(DirectoryPath);
        await new MssanteExtractionImporter(directory).ImportAsync(new MemoryStream(Extraction(Row("PER", "claire.martin@medecin.mssante.fr", "MARTIN", "Claire"))));
        SqliteConnection.ClearAllPools();

        var reopened = DirectoryDatabase.Open(DirectoryPath);

        Assert.That(await reopened.QueryAsync("PRAGMA user_version", r => r.GetInt64(0), CancellationToken.None),
            Is.EqualTo(new[] { (long)DirectoryDatabase.Schema.Migrations.Count }));
        Assert.That(await reopened.QueryAsync("PRAGMA journal_mode", r => r.GetString(0), CancellationToken.None), Is.EqualTo(new[] { "wal" }));
        Assert.That(await DirectoryStore.Open(DirectoryPath).CountAsync(), Is.EqualTo(1));
    }
}
