# Thin bootstrapper: every piece of build logic is in build/MiSS.Build (C#). See ./build.ps1 help.
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) { throw "build.ps1: the .NET 10 SDK is required (dotnet on PATH)." }
dotnet run --project build/MiSS.Build -c Release -- @args
exit $LASTEXITCODE
