import CrowdspeedWeb
import Foundation
import Mustache

/// Renders the dashboard's Mustache templates (`Web/templates/*.mustache`, loaded once from the
/// bundle) into HTML.
///
/// `{{name}}` escapes `& < > " '`, so every submitted string is rendered with double braces.
/// Triple braces appear only for `{{{…JSON}}}` inside `<script type="application/json">`
/// blocks, whose values are ``ScriptJSON`` (escaped for that context instead), and for
/// `{{{…HTML}}}`, whose values are ``RenderedHTML``: fragments these same templates rendered
/// (escaped already), included in a page. A test keeps it so.
public struct PageRenderer: Sendable {
    /// The parsed templates, each registered under its file name without extension.
    let library: MustacheLibrary
    /// What every page's layout shows besides its own content.
    public let site: SiteSettings

    /// Loads the templates of `directory`.
    ///
    /// - Throws: `MustacheLibrary.ParserError` for a template that does not parse (the bundled
    ///   ones are rendered by the tests, so that is a build defect, not an operator's problem).
    public init(site: SiteSettings, directory: URL = WebResources.templates) throws {
        var templates: [String: MustacheTemplate] = [:]
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        for file in files where file.pathExtension == "mustache" {
            let text = try String(contentsOf: file, encoding: .utf8)
            templates[file.deletingPathExtension().lastPathComponent] = try MustacheTemplate(string: text)
        }
        self.library = MustacheLibrary(templates: templates)
        self.site = site
    }

    /// Renders `model` with the template `name` (which extends `layout`).
    ///
    /// - Returns: the HTML document; a template that is missing renders as an empty string, which
    ///   the page tests catch.
    func render(_ model: some Sendable, template name: String) -> String {
        library.render(model, withTemplate: name) ?? ""
    }

    /// Renders `model` with the fragment template `name` (one that does not extend `layout`),
    /// for a page to include with triple braces.
    func renderFragment(_ model: some Sendable, template name: String) -> RenderedHTML {
        RenderedHTML(description: render(model, template: name))
    }
}

/// HTML a template rendered, its values escaped there: the only HTML a page includes unescaped.
struct RenderedHTML: Sendable, CustomStringConvertible {
    /// The markup.
    let description: String

    /// Only ``PageRenderer/renderFragment(_:template:)`` makes one.
    fileprivate init(description: String) {
        self.description = description
    }
}
