using System.Runtime.CompilerServices;

// The photo benchmark (bench/MiSS.Benchmarks) reads libvips' memory high-water mark through the internal binding and
// builds its input with the tests' image generator, which uses the same binding.
[assembly: InternalsVisibleTo("MiSS.Benchmarks")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("MiSS.IntegrationTests")]
