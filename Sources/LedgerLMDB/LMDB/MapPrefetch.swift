import CLMDB

/// Hints that bring parts of the memory map into the cache ahead of their use, so that a
/// read waits for many misses at once instead of each in turn. A hint reads nothing and
/// cannot fault, so a wrong guess costs only the memory traffic.
///
/// LMDB's pages are the system's pages (4 KiB here) and sit at page-aligned addresses of
/// the map; on a larger page a hint covers part of it.
struct MapPrefetch {
    private static let pageSize: UInt = 4_096
    private static let lineSize = 64

    /// The page last asked for, so that each page is asked for once.
    private var lastPage: UInt = 0

    /// Asks for every line of `bytes`.
    @inline(__always)
    static func lines(of bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        for offset in stride(from: 0, to: bytes.count, by: lineSize) { clmdb_prefetch(base + offset) }
    }

    /// Asks for the whole page that holds `address`, unless it was the last one asked for.
    @inline(__always)
    mutating func page(of address: UnsafeRawPointer) {
        let page = UInt(bitPattern: address) & ~(Self.pageSize - 1)
        guard page != lastPage else { return }
        lastPage = page
        for line in stride(from: page, to: page + Self.pageSize, by: Self.lineSize) {
            clmdb_prefetch(UnsafeRawPointer(bitPattern: line))
        }
    }

    /// Asks for the part of `address`'s page below it, unless that page was the last one
    /// asked for. LMDB fills a page of appended keys downward, so the entries after the
    /// one at `address` lie below it.
    @inline(__always)
    mutating func pageBelow(_ address: UnsafeRawPointer) {
        let start = UInt(bitPattern: address)
        let page = start & ~(Self.pageSize - 1)
        guard page != lastPage else { return }
        lastPage = page
        var line = (start & ~UInt(Self.lineSize - 1)) &- UInt(Self.lineSize)
        while line >= page {
            clmdb_prefetch(UnsafeRawPointer(bitPattern: line))
            line &-= UInt(Self.lineSize)
        }
    }
}
