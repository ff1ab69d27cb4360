using MiSS.Core.Storage;
using MiSS.DevEnvironment;
using Microsoft.Extensions.DependencyInjection;
using static MiSS.IntegrationTests.Practitioners;

namespace MiSS.IntegrationTests.Api;

/// <summary>The samples/ program, as a practice-management vendor would run it, against a real instance.</summary>
public class SampleProgramTests
{
    [SetUp]
    public Task StartFromEmptyInboxes() => MailServerFixture.EmptyInboxesAsync();

    [Test]
    public async Task The_practice_software_sample_writes_about_a_patient_and_follows_the_delivery()
    {
        var program = new[] { "Release", "Debug" }
            .Select(c => Path.Combine(MailServerFixture.RepositoryRoot, "samples", "PracticeSoftware", "bin", c, "net10.0", "PracticeSoftware.dll"))
            .Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
        Assert.That(program, Is.Not.Null, "build the solution first: the sample is one of its projects");
        await using var claire = await MissInstance.StartAsync(Claire);
        await using var julien = await MissInstance.StartAsync(Julien);
        var token = await claire.Services.GetRequiredService<ApiTokenStore>().CreateAsync("logiciel-de-cabinet");

        var run = await CommandRunner.RunAsync("dotnet", [program!, claire.Address.ToString(), token, Julien.Address]);

        TestContext.Out.WriteLine(run.StandardOutput);
        Assert.That(run.ExitCode, Is.Zero, run.StandardError);
        Assert.That(run.StandardOutput, Does.Contain($"MiSS de {Claire.DisplayName} <{Claire.Address}>, boîte connectée"));
        Assert.That(run.StandardOutput, Does.Contain($"Annuaire : {Julien.DisplayName}, RPPS {Julien.Rpps}"));
        Assert.That(run.StandardOutput, Does.Contain("au sujet de DURAND Léa"));
        Assert.That(run.StandardOutput, Does.Contain($"Événement : {Julien.Address} → delivered").Or.Contain($"{Julien.Address} → read"));
    }
}
