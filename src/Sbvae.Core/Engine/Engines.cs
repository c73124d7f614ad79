using Sbvae.Models;
using Sbvae.Objectives;
using TorchSharp.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>Chooses the engine once per run, from the precision asked for and the model's device.</summary>
public static class Engines
{
    /// <summary>The levers for <paramref name="precision"/> (fp32, bf16, auto) on <paramref name="device"/>: the fast engine's on the CPU, plain elsewhere.</summary>
    public static EngineOptions OptionsFor(string precision, Device device)
    {
        var resolved = PrecisionSupport.Resolve(precision, device);
        if (device.type != DeviceType.CPU)
            return resolved == Precision.Fp32 ? EngineOptions.Plain
                : throw new SbvaeException($"--precision bf16 is the CPU engine's; on {device.type.ToString().ToLowerInvariant()} use fp32");
        return EngineOptions.For(resolved);
    }

    /// <summary>The engine that trains <paramref name="model"/> with <paramref name="optimizer"/>: plain for <see cref="EngineOptions.Plain"/> or off the CPU, else the fast CPU engine.</summary>
    public static IEngine ForTraining(Vae model, Adam optimizer, TrainingObjective objective, EngineOptions options, CoreShare.Lease? cores = null) =>
        options == EngineOptions.Plain || model.parameters().First().device_type != DeviceType.CPU
            ? new PlainEngine(model, optimizer, objective)
            : new CpuEngine(model, optimizer, objective, options, cores);

    /// <summary>The inference pass of a trained model: fp32, with the levers that apply to it on its device.</summary>
    public static IInference ForInference(Vae model) =>
        new EngineForward(model, model.parameters().First().device_type == DeviceType.CPU ? new EngineOptions() : EngineOptions.Plain);

    /// <summary>
    /// Whether a run with these settings splits its batch into shares, so that it can share the
    /// machine's cores with other runs without changing its numbers (<see cref="CoreShare"/>).
    /// </summary>
    public static bool SplitsBatch(string precision, string device, int threads) =>
        threads >= 2 && device == "cpu" && EngineOptions.For(PrecisionSupport.Resolve(precision, CPU)).SplitBatch;
}
