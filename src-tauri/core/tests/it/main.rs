//! The core's integration tests, in one binary (one link instead of one per file).

mod module_graph;
