using System.Text;
using MiSS.Core.Tests;
using MiSS.Core.Tests.PractitionerDirectory;
using MiSS.DevEnvironment;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Cli;

/// <summary>
/// The `miss` command line as a practitioner runs it: the built program in a process of its own, on a settings file
/// and a data folder of its own (no service running), its exit code and French output checked.
/// </summary>
public class CommandLineTests
{
    string _data = "";
    string _config = "";

    [SetUp]
    public void WriteSettings()
    {
        // Claire knows no certificate yet: only what the commands import.
        _data = Directory.CreateTempSubdirectory("miss-cli-").FullName;
        var settings = MissInstance.SettingsFor(Claire, _data, apiPort: 0);
        settings["MiSS"]!["Trust"]!["CertificatesDirectory"] = Directory.CreateDirectory(Path.Combine(_data, "certificats")).FullName;
        _config = DevInstanceSettings.Write(settings, _data);
    }

    [TearDown]
    public void Remove()
    {
        Directory.Delete(_data, recursive: true);
    }

    Task<CommandResult> MissAsync(params string[] arguments) =>
        CommandRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "miss.dll"), .. arguments, "--config", _config]);

    string DataFile(string name, byte[] content)
    {
        var path = Path.Combine(_data, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Test]
    public async Task A_read_only_token_is_created_listed_and_an_unknown_scope_refused()
    {
        var created = await MissAsync("token", "create", "tableau", "--scope", "read");
        Assert.That(created.ExitCode, Is.Zero, created.StandardError);
        Assert.That(created.StandardOutput.Trim(), Has.Length.GreaterThanOrEqualTo(40), "the secret, shown once");
        Assert.That(created.StandardError, Does.Contain("lecture seule"));

        var list = await MissAsync("token", "list");
        Assert.That(list.StandardOutput, Does.Match(@"tableau\s+lecture seule\s+créé le .*actif"));
        Assert.That(list.StandardOutput, Does.Not.Contain(created.StandardOutput.Trim()), "the secret is never shown again");

        var refused = await MissAsync("token", "create", "autre", "--scope", "admin");
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.StandardError, Does.Contain("portée inconnue « admin »"));
    }

    [Test]
    public async Task A_certificate_is_imported_by_hand_listed_and_a_bad_one_refused_with_its_reason()
    {
        var julien = await File.ReadAllBytesAsync(MailServerFixture.Pki.CertificatePath(Julien));
        var imported = await MissAsync("certificate", "import", DataFile("julien.pem", julien));
        Assert.That(imported.ExitCode, Is.Zero, imported.StandardError);
        Assert.That(imported.StandardOutput, Does.Contain(Julien.Address));

        var list = await MissAsync("certificate", "list");
        Assert.That(list.StandardOutput, Does.Contain(Julien.Address).And.Contain("import"));

        var rogue = await MissAsync("certificate", "import", DataFile("rogue.cer", TestPki.RogueCertificate(Sophie).RawData));
        Assert.That(rogue.ExitCode, Is.EqualTo(1));
        Assert.That(rogue.StandardError, Does.Contain("refusé"));
        var garbage = await MissAsync("certificate", "import", DataFile("pas-un-certificat.pem", Encoding.ASCII.GetBytes("bonjour")));
        Assert.That(garbage.ExitCode, Is.EqualTo(1));
        Assert.That(garbage.StandardError, Does.Contain("refusé"));
        var missing = await MissAsync("certificate", "import", Path.Combine(_data, "absent.pem"));
        Assert.That(missing.ExitCode, Is.EqualTo(1));
        Assert.That(missing.StandardError, Does.Contain("fichier introuvable"));
        Assert.That((await MissAsync("certificate", "list")).StandardOutput, Does.Not.Contain(Sophie.Address), "nothing refused was kept");
    }

    [Test]
    public async Task The_directory_is_imported_and_searched_and_the_audit_trail_verifies()
    {
        var bundle = AnnuaireBundles.Bundle(AnnuaireBundles.Practitioner(Julien, "julien"),
            AnnuaireBundles.Role("julien-role", "julien", AnnuaireBundles.Mailbox(Julien.Address)));
        var imported = await MissAsync("directory", "import", DataFile("annuaire.json", Encoding.UTF8.GetBytes(bundle)), "--format", "fhir");
        Assert.That(imported.ExitCode, Is.Zero, imported.StandardError);

        var found = await MissAsync("directory", "search", "julien");
        Assert.That(found.ExitCode, Is.Zero, found.StandardError);
        Assert.That(found.StandardOutput, Does.Contain(Julien.Address).And.Contain("NEVERS"));

        var verified = await MissAsync("audit", "verify");
        Assert.That(verified.ExitCode, Is.Zero, verified.StandardError);
        Assert.That(verified.StandardOutput, Does.Contain("journal d'audit intact"));
    }
}
