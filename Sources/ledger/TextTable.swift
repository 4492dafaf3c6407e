/// Prints rows as aligned columns with a header, streaming: the widths come from the
/// first page of rows (and the titles), later rows reuse them, so memory stays bounded
/// for any number of rows. A later cell wider than its column just pushes the rest of
/// its row to the right.
final class TextTable {
    /// One column: its title and which side its cells line up on.
    struct Column {
        var title: String
        var alignment: Alignment = .left

        static func left(_ title: String) -> Column { Column(title: title, alignment: .left) }
        static func right(_ title: String) -> Column { Column(title: title, alignment: .right) }
    }

    enum Alignment {
        case left, right
    }

    private let columns: [Column]
    private let output: OutputWriter
    private let pageSize: Int
    private let showsHeader: Bool
    private var pending: [[String]] = []
    private var widths: [Int]?
    /// How many rows were added.
    private(set) var rowCount = 0

    init(_ columns: [Column], output: OutputWriter, showsHeader: Bool = true, pageSize: Int = 500) {
        self.columns = columns
        self.output = output
        self.showsHeader = showsHeader
        self.pageSize = pageSize
    }

    /// Prints `name  value` pairs as two aligned columns without a header.
    static func printFacts(_ facts: [(String, String)], to output: OutputWriter) throws(CommandFailure) {
        let table = TextTable([.left("FACT"), .left("VALUE")], output: output, showsHeader: false)
        for (name, value) in facts { try table.add([name, value]) }
        try table.finish()
    }

    /// Adds a row: one cell per column.
    func add(_ cells: [String]) throws(CommandFailure) {
        precondition(cells.count == columns.count, "a row needs one cell per column")
        rowCount += 1
        if let widths {
            try write(cells, widths: widths)
        } else {
            pending.append(cells)
            if pending.count >= pageSize { try flushPending() }
        }
    }

    /// Prints what is still held (at least the header, when shown).
    func finish() throws(CommandFailure) {
        if widths == nil { try flushPending() }
    }

    private func flushPending() throws(CommandFailure) {
        var widths = columns.map { showsHeader ? $0.title.count : 0 }
        for row in pending {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        self.widths = widths
        if showsHeader { try write(columns.map(\.title), widths: widths) }
        for row in pending { try write(row, widths: widths) }
        pending = []
    }

    private func write(_ cells: [String], widths: [Int]) throws(CommandFailure) {
        var line = ""
        for (index, cell) in cells.enumerated() {
            let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
            let isLast = index == cells.count - 1
            switch columns[index].alignment {
            case .left: line += isLast ? cell : cell + padding
            case .right: line += padding + cell
            }
            if !isLast { line += "  " }
        }
        try output.line(line)
    }
}
