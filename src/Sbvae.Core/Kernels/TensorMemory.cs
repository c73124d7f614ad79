using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Sbvae.Kernels;

/// <summary>
/// Raw access to a CPU tensor's storage, for the few hand-written kernels that fuse steps
/// libtorch would run as separate passes over memory. TorchSharp 0.107 keeps its
/// <c>THSTensor_data</c> binding internal, so it is bound once here.
/// </summary>
internal static class TensorMemory
{
    static readonly Func<IntPtr, IntPtr> Data = Bind();

    static Func<IntPtr, IntPtr> Bind()
    {
        var method = typeof(TorchSharp.torch).Assembly.GetType("TorchSharp.PInvoke.NativeMethods")
            ?.GetMethod("THSTensor_data", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(IntPtr)])
            ?? throw new MissingMethodException("TorchSharp no longer exposes THSTensor_data");
        return method.CreateDelegate<Func<IntPtr, IntPtr>>();
    }

    /// <summary>Address of element 0; the tensor must be on the CPU and stay alive while it is used.</summary>
    public static unsafe T* Pointer<T>(Tensor t) where T : unmanaged
    {
        if (t.device_type != DeviceType.CPU) throw new InvalidOperationException("kernel tensors must be on the CPU");
        return (T*)Data(t.Handle);
    }

    /// <summary>The first whole cache line of a pinned buffer (allocate 16 floats more than needed).</summary>
    public static unsafe float* CacheAligned(float[] pinned)
    {
        var start = (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(pinned));
        return (float*)(((nint)start + 63) & ~(nint)63);
    }

    /// <summary>Runs <paramref name="body"/>(part, parts) for each of <paramref name="parts"/> parts, in parallel.</summary>
    public static void Parallel(int parts, Action<int, int> body)
    {
        parts = Math.Max(1, parts);
        if (parts == 1) body(0, 1);
        else System.Threading.Tasks.Parallel.For(0, parts, i => body(i, parts));
    }
}
