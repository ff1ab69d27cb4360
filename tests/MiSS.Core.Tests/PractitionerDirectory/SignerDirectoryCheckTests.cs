using MiSS.Core.Messaging;
using MiSS.Core.PractitionerDirectory;
using MiSS.Core.Secure;

namespace MiSS.Core.Tests.PractitionerDirectory;

/// <summary>The verified signer's certificate identity against the directory entry of the sender address.</summary>
public class SignerDirectoryCheckTests
{
    static PractitionerIdentity Signer(string given, string family, string? rpps) =>
        new($"{given} {family}", given, family, rpps is null ? null : "8" + rpps, ["x@dev.mssante.test"], "00");

    static DirectoryCheckStatus Status(PractitionerIdentity signer, DirectoryPerson? entry) => SignerDirectoryCheck.Compare(signer, entry).Status;

    [Test]
    public void Names_match_whatever_the_case_accents_hyphens_and_word_order()
    {
        var signer = Signer("Hélène", "LEFÈVRE-DURAND", null);
        Assert.That(Status(signer, new DirectoryPerson("x", "Helene", "Lefevre Durand", null)), Is.EqualTo(DirectoryCheckStatus.Match));
        Assert.That(Status(signer, new DirectoryPerson("x", "helene", "DURAND-LEFEVRE", null)), Is.EqualTo(DirectoryCheckStatus.Match));
        Assert.That(Status(Signer("Jean-Marie", "DUPONT", null), new DirectoryPerson("x", "Jean Marie", "Dupont", null)), Is.EqualTo(DirectoryCheckStatus.Match));
    }

    [Test]
    public void Different_names_without_rpps_are_a_mismatch_naming_both()
    {
        var check = SignerDirectoryCheck.Compare(Signer("Claire", "MARTIN", null), new DirectoryPerson("Claire MARTINEZ", "Claire", "MARTINEZ", "10101234564"));
        Assert.That(check.Status, Is.EqualTo(DirectoryCheckStatus.Mismatch));
        Assert.That(check.Detail, Does.Contain("Claire MARTIN").And.Contain("Claire MARTINEZ"));
    }

    [Test]
    public void The_rpps_decides_when_both_sides_have_one()
    {
        Assert.That(Status(Signer("Claire", "MARTIN", "10101234564"), new DirectoryPerson("x", "Claire", "DURAND", "10101234564")),
            Is.EqualTo(DirectoryCheckStatus.Match), "same RPPS, married name in the directory");
        var check = SignerDirectoryCheck.Compare(Signer("Claire", "MARTIN", "10101234564"), new DirectoryPerson("x", "Claire", "Martin", "10101234572"));
        Assert.That(check.Status, Is.EqualTo(DirectoryCheckStatus.Mismatch), "same name, another practitioner");
        Assert.That(check.Detail, Does.Contain("10101234564").And.Contain("10101234572"));
    }

    [Test]
    public void An_address_not_in_the_directory_or_naming_no_person_is_absent()
    {
        Assert.That(Status(Signer("Claire", "MARTIN", "10101234564"), null), Is.EqualTo(DirectoryCheckStatus.Absent));
        Assert.That(Status(Signer("Claire", "MARTIN", "10101234564"), new DirectoryPerson("CENTRE HOSPITALIER DE NEVERS", null, null, null)),
            Is.EqualTo(DirectoryCheckStatus.Absent));
    }
}
