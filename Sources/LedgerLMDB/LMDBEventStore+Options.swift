extension LMDBEventStore {
    /// How a ledger trades speed for durability.
    public enum Durability: Sendable, Hashable {
        /// Every commit is synced to disk before the append returns. A process crash or a
        /// power loss loses nothing that an append acknowledged.
        case durable
        /// Commits are written to the operating system but not synced (`MDB_NOSYNC`). A
        /// process crash loses nothing acknowledged; a power loss or kernel crash can lose
        /// the commits made since the last ``LMDBEventStore/sync()`` (or the OS's own
        /// flush), and the ledger reopens at an earlier, consistent head.
        case relaxed
    }

    /// Settings for opening a ledger. The defaults suit a service.
    public struct Options: Sendable, Hashable {
        /// Durable by default.
        public var durability: Durability = .durable
        /// The memory map's starting size in bytes. It grows by itself when full.
        public var initialMapSize: Int = 64 << 20
        /// The largest the map may grow to; past it appends fail with
        /// `LedgerError/Code`.
        public var maximumMapSize: Int = 1 << 40
        /// The largest payload one event may carry, in bytes.
        public var maximumEventSize: Int = 4 << 20
        /// How many events the writer puts into one transaction at most when it coalesces
        /// concurrent appends (a single larger append still goes in whole).
        public var maximumGroupSize: Int = 8192
        /// How long the writer may wait for more appends to join a group when one of the
        /// last eight groups was larger than what is queued: a little latency for fewer
        /// disk syncs under concurrent load. A lone appender never waits. Zero turns it off.
        public var groupGatherWindow: Duration = .microseconds(500)
        /// How often a waiting subscription looks for appends made by other processes.
        public var crossProcessPollInterval: Duration = .milliseconds(50)
        /// Reader slots: the most concurrent read transactions across all processes.
        public var maximumReaders: UInt32 = 126

        public init() {}
    }
}
