using System.Security.Cryptography.X509Certificates;
using MiSS.Core.Configuration;
using MiSS.Core.Trust;
using MiSS.Core.TrustRefresh;
using MiSS.DevEnvironment;

namespace MiSS.Core.Tests.TrustRefresh;

/// <summary>The kept copy of the downloaded white list, as the command line and the service find it at start.</summary>
public class KeptWhiteListTests
{
    DirectoryInfo _directory = null!;
    X509Certificate2 _signer = null!;
    MissOptions _options = null!;

    [SetUp]
    public void CreateDataDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("miss-kept-");
        _signer = TestPki.Pki.IssueWhiteListSigner(DateTimeOffset.UtcNow);
        var signers = Path.Combine(_directory.FullName, "signers.pem");
        File.WriteAllText(signers, _signer.ExportCertificatePem());
        _options = new MissOptions
        {
            DataDirectory = _directory.FullName,
            TrustSpace = new TrustSpaceOptions { WhiteListUrl = "https://listeblanche.example/listeblanchemssante.xml", WhiteListSignerPath = signers },
        };
        Directory.CreateDirectory(Path.Combine(_directory.FullName, "trust"));
    }

    [TearDown]
    public void DeleteDataDirectory()
    {
        _signer.Dispose();
        _directory.Delete(recursive: true);
    }

    string KeptPath => Path.Combine(_directory.FullName, "trust", "listeblanchemssante.xml");

    [Test]
    public void A_kept_signed_copy_takes_over_from_the_built_in_list()
    {
        File.WriteAllText(KeptPath, DevWhiteList.Sign(DevWhiteList.Build(DateTimeOffset.UtcNow, "medecin.mssante.fr"), _signer));

        var space = TrustRefresher.WithKeptWhiteList(TrustSpace.From(_options.TrustSpace), _options);

        Assert.That(space.Allows("dr.x@medecin.mssante.fr"), Is.True);
    }

    [Test]
    public void A_kept_copy_that_no_longer_verifies_is_left_aside()
    {
        File.WriteAllText(KeptPath, DevWhiteList.Build(DateTimeOffset.UtcNow, "medecin.mssante.fr")); // unsigned

        var space = TrustRefresher.WithKeptWhiteList(TrustSpace.From(_options.TrustSpace), _options);

        Assert.That(space.Allows("dr.x@medecin.mssante.fr"), Is.False);
        Assert.That(space.List.IsBuiltIn, Is.True);
    }

    [Test]
    public void Without_a_white_list_url_a_file_left_in_the_folder_is_not_read()
    {
        File.WriteAllText(KeptPath, DevWhiteList.Sign(DevWhiteList.Build(DateTimeOffset.UtcNow, "medecin.mssante.fr"), _signer));
        _options.TrustSpace.WhiteListUrl = null;

        var space = TrustRefresher.WithKeptWhiteList(TrustSpace.From(_options.TrustSpace), _options);

        Assert.That(space.Allows("dr.x@medecin.mssante.fr"), Is.False);
    }
}
