import Testing

/// Every test that talks to moto lives under this suite: they share one server and reset it,
/// so they must run one at a time.
@Suite(.serialized) struct MotoTests {}
