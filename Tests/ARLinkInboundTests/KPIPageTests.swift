import ARLinkCore
import ARLinkTestSupport
import Foundation
import Testing

/// `arlink report kpi` as the built executable writes it, rendered by a real headless Chromium.
@Suite("KPI report page in Chromium", .serialized, .timeLimit(.minutes(10)))
struct KPIPageTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// A Python that has Pillow: Debian's (where `python3-pil` installs it), else the one on `PATH`.
    static let python = ["/usr/bin/python3", "python3"].first { (try? ProcessRunner.run($0, ["-c", "import PIL"]).status) == 0 }

    func report(_ f: KPIFixture, _ format: String, to path: String) throws {
        let r = try ProcessRunner.run(RepositoryPaths.arlinkExecutable, ["report", "kpi", "--config", f.inbound.configPath, "--from", "2027-01-01",
                                                                        "--to", "2027-02-28", "--format", format, "--output", path])
        try #require(r.status == 0, "\(r.stderr)")
    }

    @Test("the page renders its four charts (pixels of each chart's colours) and its figures match the JSON",
          .enabled(if: KPIPageTests.chromium != nil, "needs Debian's chromium (scripts/setup.sh installs it)"),
          .enabled(if: KPIPageTests.python != nil, "needs python3 with Pillow (python3-pil; scripts/setup.sh installs it)"),
          .enabled(if: CrashTests.arlinkAvailable, "needs the arlink executable built next to the tests (swift build --build-tests)"))
    func rendersAndMatchesJSON() throws {
        let f = try KPIFixture()
        let html = f.inbound.dir.file("kpi.html"), json = f.inbound.dir.file("kpi.json"), png = f.inbound.dir.file("kpi.png")
        try report(f, "html", to: html)
        try report(f, "json", to: json)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        // Self-contained: nothing loaded from anywhere, no script.
        #expect(!page.contains("<script") && !page.contains("src=") && !page.contains("@import") && !page.contains("url("))
        for id in ["chart-cohorts", "chart-aging-EUR", "chart-aging-USD", "chart-promises", "chart-rejections"] {
            #expect(page.contains("id=\"\(id)\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\""), "chart \(id)")
            #expect(page.contains("<title id=\"\(id)-title\">") && page.contains("<desc id=\"\(id)-desc\">"), "chart \(id)")
        }

        // Chromium renders without libfaketime (the suite also runs with the clock moved): a page has no clock to fake.
        let shot = try ProcessRunner.run(try #require(Self.chromium), ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                                       "--screenshot=\(png)", "--window-size=1280,6000", "file://\(html)"],
                                         environment: ["LD_PRELOAD": ""], timeout: 180)
        try #require(FileManager.default.fileExists(atPath: png), "chromium wrote no screenshot: \(shot.stderr)")
        // Pixels of the colours only the charts use: blue (EUR cohort bars, aging 'current', promises made), orange (USD
        // cohort bars, aging 1-30), green (aging 31-60, promises kept), red (aging 61-90, promises broken), purple
        // (rejected events), and everything that is not white.
        let count = try ProcessRunner.run(try #require(Self.python), ["-c", """
            import sys
            from PIL import Image
            im = Image.open(sys.argv[1]).convert("RGB")
            colours = {"blue": (0x2f, 0x6d, 0xb5), "orange": (0xe0, 0x8a, 0x1e), "green": (0x3a, 0x9a, 0x4f), "red": (0xc2, 0x3b, 0x3b), "purple": (0x7a, 0x4f, 0xb0)}
            counts = dict.fromkeys(colours, 0)
            inked = 0
            for pixel in im.getdata():
                if pixel != (255, 255, 255): inked += 1
                for name, rgb in colours.items():
                    if pixel == rgb: counts[name] += 1
            print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())), f"inked={inked}")
            """, png])
        try #require(count.status == 0, "\(count.stderr)")
        let pixels = Dictionary(uniqueKeysWithValues: count.stdout.split(whereSeparator: \.isWhitespace).compactMap { part -> (String, Int)? in
            let kv = part.split(separator: "=")
            return kv.count == 2 ? (String(kv[0]), Int(kv[1]) ?? 0) : nil
        })
        // A bar is at least 14 pixels wide and tens of pixels high; a legend swatch is 144 pixels.
        for colour in ["blue", "orange", "green", "red", "purple"] {
            #expect((pixels[colour] ?? 0) > 1_000, "\(colour): \(count.stdout)")
        }
        #expect((pixels["inked"] ?? 0) > 100_000, "\(count.stdout)")

        // Every figure cell of the page against the JSON the same command wrote.
        let data = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let partners = try #require(data["partners"] as? [[String: Any]])
        let overall = try #require(data["overall"] as? [String: Any])
        var lists: [String: [[String: Any]]] = ["*": try #require(overall["kpis"] as? [[String: Any]])]
        for p in partners { lists[try #require(p["partner"] as? String)] = try #require(p["kpis"] as? [[String: Any]]) }
        let cell = try NSRegularExpression(pattern: #"<td class="num" data-partner="([^"]*)" data-currency="([A-Z]{3})" data-field="([a-z_]+)">([^<]*)</td>"#)
        var checked = 0
        for match in cell.matches(in: page, range: NSRange(page.startIndex..., in: page)) {
            let group = { (i: Int) in String(page[Range(match.range(at: i), in: page)!]) }
            let kpis = try #require(lists[group(1)]?.first { $0["currency"] as? String == group(2) }, "no JSON for \(group(1)) \(group(2))")
            let value = kpis[group(3)], shown = group(4)
            switch value {
            case let text as String: #expect(shown == text, "\(group(1)) \(group(2)) \(group(3))")
            case is NSNull: #expect(shown.isEmpty, "\(group(1)) \(group(2)) \(group(3))")
            case let counts as [String: Int]:
                #expect(shown == counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";"), "\(group(3))")
            case let number as NSNumber:
                #expect(abs((Double(shown) ?? .nan) - number.doubleValue) < 0.00005 + 0.05 * (group(3).hasPrefix("days") ? 1 : 0), "\(group(3)): \(shown) vs \(number)")
            default:
                Issue.record("unexpected JSON value for \(group(3))")
            }
            checked += 1
        }
        // Two currencies, twice (all partners and the one partner), every field.
        #expect(checked == 4 * 21)
        #expect(page.contains(">220.00</td>") && page.contains("0.3143"))
    }
}
