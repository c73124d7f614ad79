// libtorch's global state (thread count, dispose scopes) is not safe across concurrently running tests.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
