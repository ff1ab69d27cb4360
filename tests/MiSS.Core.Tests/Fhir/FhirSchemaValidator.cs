using System.ComponentModel;
using System.Diagnostics;

namespace MiSS.Core.Tests.Fhir;

/// <summary>
/// Validates JSON against the official FHIR R4 JSON schema (draft-06).
/// JsonSchema.Net 9.7.0 was the intended validator, but its dependencies JsonPointer.Net 7.1.0 and Json.More.Net are not
/// in the package mirror, so the package cannot be restored. Meanwhile this runs the Python <c>jsonschema</c> package
/// (Draft6Validator), an independent, complete implementation; the tests are ignored when it or the schema is absent.
/// </summary>
static class FhirSchemaValidator
{
    const string Script = """
        import json, sys
        try:
            from jsonschema import Draft6Validator
        except ImportError:
            print("NO-JSONSCHEMA"); sys.exit(3)
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        instance = json.load(open(sys.argv[2], encoding="utf-8"))
        definitions = schema["definitions"]
        base = {k: v for k, v in schema.items() if k not in ("oneOf", "discriminator")}
        count = 0
        def explain(errors, prefix):
            # A failed oneOf over all resources says little: re-check the instance against its own resourceType to find why.
            global count
            for e in errors:
                where = prefix + "".join("/" + str(p) for p in e.absolute_path)
                rt = e.instance.get("resourceType") if isinstance(e.instance, dict) else None
                if e.validator == "oneOf" and rt in definitions:
                    before = count
                    explain(Draft6Validator(dict(base, **{"$ref": "#/definitions/" + rt})).iter_errors(e.instance), where)
                    if count > before:
                        continue
                count += 1
                print((where or "/") + ": " + e.message[:400])
        explain(Draft6Validator(schema).iter_errors(instance), "")
        sys.exit(1 if count else 0)
        """;

    /// <summary>The schema file: <c>../shared/data/fhir-r4/fhir.schema.json</c> next to the directory holding MiSS.sln.</summary>
    public static string? SchemaPath()
    {
        var path = Path.GetFullPath(Path.Combine(TestPki.RepositoryRoot, "..", "shared", "data", "fhir-r4", "fhir.schema.json"));
        return File.Exists(path) ? path : null;
    }

    /// <summary>Validates; returns whether valid and the errors. Calls <see cref="Assert.Ignore(string)"/> when it cannot validate.</summary>
    public static (bool IsValid, IReadOnlyList<string> Errors, TimeSpan Elapsed) Validate(string json)
    {
        var schema = SchemaPath();
        if (schema is null)
        {
            Assert.Ignore("FHIR R4 schema not found (../shared/data/fhir-r4/fhir.schema.json)");
        }
        var file = Path.Combine(Path.GetTempPath(), $"miss-fhir-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "-c", Script, schema!, file })
            {
                start.ArgumentList.Add(argument);
            }
            var watch = Stopwatch.StartNew();
            Process process;
            try
            {
                process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
            }
            catch (Win32Exception)
            {
                Assert.Ignore("python3 is not available to validate against the FHIR schema");
                throw;
            }
            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                watch.Stop();
                if (process.ExitCode == 3 && output.Contains("NO-JSONSCHEMA", StringComparison.Ordinal))
                {
                    Assert.Ignore("the Python jsonschema package is not installed");
                }
                if (process.ExitCode is not (0 or 1))
                {
                    Assert.Fail($"validator crashed ({process.ExitCode}): {stderr.Result}");
                }
                var errors = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                TestContext.Out.WriteLine($"FHIR schema validation: {watch.Elapsed.TotalSeconds:F2} s, {errors.Length} error(s)");
                foreach (var error in errors)
                {
                    TestContext.Out.WriteLine("  " + error);
                }
                return (process.ExitCode == 0, errors, watch.Elapsed);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }
}
