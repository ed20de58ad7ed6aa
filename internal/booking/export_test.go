package booking

// Exported for the benchmarks in package booking_test.
var ConflictsWith = conflictsWith
