using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Sbvae.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sbvae.Engine;

/// <summary>
/// Adam's update (as TorchSharp computes it: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)) in one pass per parameter tensor, on the moments
/// the TorchSharp <see cref="Adam"/> keeps, so checkpoints and resume see the same state.
/// TorchSharp runs each tensor's update as about eight libtorch calls; for these half-million-
/// parameter models their dispatch costs more than the arithmetic. Falls back to
/// <see cref="Adam.step"/> for what it does not cover (weight decay, amsgrad, maximize, GPU tensors).
/// </summary>
internal static class FusedAdam
{
    /// <summary>One update of every parameter with a gradient; false (nothing done) when not covered.</summary>
    public static bool Step(Adam optimizer)
    {
        if (Plan.For(optimizer) is not { } plan) return false;
        foreach (var p in plan.Parameters)
            if (p.grad is { } g && (g.dtype != ScalarType.Float32 || !g.is_contiguous())) return false;
        for (int i = 0; i < plan.Parameters.Count; i++)
            if (plan.Parameters[i].grad is { } g) plan.Update(i, g);
        return true;
    }

    /// <summary>
    /// One step's update, parameter by parameter: each index once per step, from any thread
    /// (parameters and their moments are separate tensors). Null when the optimizer is not covered.
    /// </summary>
    public sealed class Plan
    {
        readonly IList<TorchSharp.Modules.Parameter> parameters;
        readonly IList<TorchSharp.Modules.OptimizerState> states;
        readonly double lr, beta1, beta2, eps;

        Plan(IList<TorchSharp.Modules.Parameter> parameters, IList<TorchSharp.Modules.OptimizerState> states, Adam.Options options)
        {
            (this.parameters, this.states) = (parameters, states);
            (lr, beta1, beta2, eps) = (options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
        }

        public IList<TorchSharp.Modules.Parameter> Parameters => parameters;

        public static Plan? For(Adam optimizer)
        {
            var groups = optimizer.ParamGroups.ToList();
            if (groups.Count != 1 || groups[0] is not ParamGroup group || group.Options is not Adam.Options options) return null;
            if (options.weight_decay is not (null or 0.0) || options.amsgrad is true || options.maximize is true) return null;
            var parameters = group.Parameters.ToList();
            var states = optimizer.state_dict().State;
            if (states.Count != parameters.Count) return null;
            if (parameters.Any(p => p.device_type != DeviceType.CPU || p.dtype != ScalarType.Float32 || !p.is_contiguous())) return null;
            return new Plan(parameters, states, options);
        }

        /// <summary>Adam's update of parameter <paramref name="index"/> with <paramref name="grad"/> (dense fp32).</summary>
        public void Update(int index, Tensor grad)
        {
            var s = (Adam.State)states[index];
            s.step += 1;
            double correction1 = 1 - Math.Pow(beta1, s.step), correction2 = 1 - Math.Pow(beta2, s.step);
            var scalars = new Scalars((float)beta1, (float)beta2, (float)(lr / correction1), (float)Math.Sqrt(correction2), (float)eps);
            unsafe
            {
                FusedAdam.Update(TensorMemory.Pointer<float>(parameters[index]), TensorMemory.Pointer<float>(grad), TensorMemory.Pointer<float>(s.exp_avg),
                    TensorMemory.Pointer<float>(s.exp_avg_sq), parameters[index].numel(), scalars);
            }
        }
    }

    readonly record struct Scalars(float Beta1, float Beta2, float StepSize, float RootCorrection2, float Eps);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static unsafe void Update(float* p, float* g, float* m, float* v, long n, Scalars s)
    {
        long i = 0;
        var b1 = Vector256.Create(s.Beta1); var c1 = Vector256.Create(1 - s.Beta1);
        var b2 = Vector256.Create(s.Beta2); var c2 = Vector256.Create(1 - s.Beta2);
        var step = Vector256.Create(s.StepSize); var root = Vector256.Create(s.RootCorrection2); var eps = Vector256.Create(s.Eps);
        for (; i + 8 <= n; i += 8)
        {
            var gi = Vector256.Load(g + i);
            var mi = b1 * Vector256.Load(m + i) + c1 * gi;
            var vi = b2 * Vector256.Load(v + i) + c2 * gi * gi;
            mi.Store(m + i);
            vi.Store(v + i);
            (Vector256.Load(p + i) - step * mi / (Vector256.Sqrt(vi) / root + eps)).Store(p + i);
        }
        for (; i < n; i++)
        {
            m[i] = s.Beta1 * m[i] + (1 - s.Beta1) * g[i];
            v[i] = s.Beta2 * v[i] + (1 - s.Beta2) * g[i] * g[i];
            p[i] -= s.StepSize * m[i] / (MathF.Sqrt(v[i]) / s.RootCorrection2 + s.Eps);
        }
    }
}
