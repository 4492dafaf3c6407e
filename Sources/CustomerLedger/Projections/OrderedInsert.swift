import Foundation
import LedgerCore

extension Array {
    /// Inserts `item` after every element whose key is not greater, keeping the array in
    /// `key` order (stable for equal keys). Events mostly come in order, so this is
    /// usually an append.
    mutating func insert(_ item: Element, inOrderOf key: (borrowing Element) -> (Date, LogPosition)) {
        let itemKey = key(item)
        // Through the buffer: the array's subscript would copy each element it compares.
        let index = withUnsafeBufferPointer { buffer in
            var index = buffer.count
            while index > 0, itemKey < key(buffer[index - 1]) { index -= 1 }
            return index
        }
        if index == count { append(item) } else { insert(item, at: index) }
    }
}
