// libtorch's global state (thread count, dispose scopes) is not safe across concurrently running tests.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
