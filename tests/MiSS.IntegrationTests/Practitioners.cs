using MiSS.DevEnvironment;

namespace MiSS.IntegrationTests;

/// <summary>The development practitioners by name, for the tests (`using static MiSS.IntegrationTests.Practitioners`).</summary>
public static class Practitioners
{
    public static DevPractitioner Claire => DevPki.Practitioners[0];
    public static DevPractitioner Julien => DevPki.Practitioners[1];
    public static DevPractitioner Sophie => DevPki.Practitioners[2];
    public static DevPractitioner Marc => DevPki.Practitioners[3];
}
