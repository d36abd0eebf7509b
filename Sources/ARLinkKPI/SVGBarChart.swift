/// An inline SVG bar chart (grouped or stacked) with a title and a description for screen
/// readers, a value axis, category labels and a legend. Values are for drawing only; the
/// exact figures are in the table beside each chart.
struct SVGBarChart {
    struct Series {
        var name: String
        var color: String
        var values: [Double]
    }

    var id: String
    var title: String
    var description: String
    var categories: [String]
    var series: [Series]
    var stacked = false
    /// The unit after axis labels (`%`, `EUR`, ``).
    var unit = ""

    static let palette = ["#2f6db5", "#e08a1e", "#3a9a4f", "#c23b3b", "#7a4fb0", "#8c6d31", "#d4569c", "#4aa3a3"]

    var svg: String {
        let plotLeft = 90.0, plotTop = 40.0, plotHeight = 220.0, labelSpace = 60.0
        let groupWidth = max(36.0, stacked ? 40.0 : Double(series.count) * 16.0 + 14.0)
        let plotWidth = max(360.0, Double(categories.count) * groupWidth)
        let width = plotLeft + plotWidth + 20, legendTop = plotTop + plotHeight + labelSpace
        let columns = max(1, Int(plotWidth / 130))
        let height = legendTop + 22.0 * Double((series.count + columns - 1) / columns) + 10
        let top = axisTop()
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"\(id)\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" "
        out += "width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\">\n"
        out += "<title id=\"\(id)-title\">\(HTMLText.escape(title))</title>\n<desc id=\"\(id)-desc\">\(HTMLText.escape(description))</desc>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>\n"
        out += "<text x=\"\(Int(plotLeft))\" y=\"22\" font-size=\"14\" font-weight=\"bold\" fill=\"#1d2330\">\(HTMLText.escape(title))</text>\n"
        for step in 0...4 {
            let value = top * Double(step) / 4
            let y = plotTop + plotHeight - plotHeight * Double(step) / 4
            out += "<line x1=\"\(Int(plotLeft))\" y1=\"\(f(y))\" x2=\"\(f(plotLeft + plotWidth))\" y2=\"\(f(y))\" stroke=\"\(step == 0 ? "#555" : "#d5d9e2")\"/>\n"
            out += "<text x=\"\(Int(plotLeft - 6))\" y=\"\(f(y + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#333\">\(axisLabel(value))</text>\n"
        }
        if categories.isEmpty || top <= 0 {
            out += "<text x=\"\(f(plotLeft + 12))\" y=\"\(f(plotTop + plotHeight / 2))\" font-size=\"13\" fill=\"#555\">No data in this period.</text>\n"
        }
        for (index, category) in categories.enumerated() {
            let groupLeft = plotLeft + Double(index) * groupWidth + 7
            var stackBase = 0.0
            for (s, line) in series.enumerated() {
                let value = index < line.values.count ? max(0, line.values[index]) : 0
                let h = top > 0 ? plotHeight * value / top : 0
                let x = stacked ? groupLeft + 4 : groupLeft + Double(s) * 16
                let y = plotTop + plotHeight - h - (stacked ? stackBase : 0)
                if stacked { stackBase += h }
                guard h > 0 else { continue }
                out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(stacked ? 28 : 14)\" height=\"\(f(h))\" fill=\"\(line.color)\">"
                out += "<title>\(HTMLText.escape(category)) \(HTMLText.escape(line.name)): \(axisLabel(value))</title></rect>\n"
            }
            let cx = groupLeft + (groupWidth - 14) / 2
            out += "<text x=\"\(f(cx))\" y=\"\(f(plotTop + plotHeight + 14))\" font-size=\"11\" fill=\"#333\" text-anchor=\"end\" "
            out += "transform=\"rotate(-35 \(f(cx)) \(f(plotTop + plotHeight + 14)))\">\(HTMLText.escape(category))</text>\n"
        }
        for (s, line) in series.enumerated() {
            let x = plotLeft + Double(s % columns) * 130, y = legendTop + 22 * Double(s / columns)
            out += "<rect x=\"\(f(x))\" y=\"\(f(y - 10))\" width=\"12\" height=\"12\" fill=\"\(line.color)\"/>"
            out += "<text x=\"\(f(x + 17))\" y=\"\(f(y))\" font-size=\"12\" fill=\"#1d2330\">\(HTMLText.escape(line.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// The axis' top: the largest bar (or stack), rounded up to a round number.
    func axisTop() -> Double {
        var largest = 0.0
        for index in categories.indices {
            let values = series.map { index < $0.values.count ? max(0, $0.values[index]) : 0 }
            largest = max(largest, stacked ? values.reduce(0, +) : values.max() ?? 0)
        }
        guard largest > 0 else { return 0 }
        var magnitude = 1.0
        while magnitude * 10 <= largest { magnitude *= 10 }
        while magnitude > largest { magnitude /= 10 }
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= largest { return factor * magnitude }
        return largest
    }

    /// A value as a short label: `12.5M`, `250k`, `40`, `2.5`, then the unit.
    func axisLabel(_ value: Double) -> String {
        let text: String
        if value >= 1_000_000 {
            text = KPIValue.fixed(value / 1_000_000, digits: value.truncatingRemainder(dividingBy: 1_000_000) == 0 ? 0 : 1) + "M"
        } else if value >= 10_000 {
            text = KPIValue.fixed(value / 1_000, digits: 0) + "k"
        } else {
            text = value == value.rounded() ? KPIValue.fixed(value, digits: 0) : KPIValue.fixed(value, digits: 1)
        }
        return unit.isEmpty ? text : text + (unit == "%" ? "%" : " " + unit)
    }

    func f(_ v: Double) -> String { KPIValue.fixed(v, digits: 1) }
}

/// Escaping for text and attribute values in the HTML page.
enum HTMLText {
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
