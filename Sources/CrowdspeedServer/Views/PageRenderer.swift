import CrowdspeedWeb
import Foundation
import Mustache

/// Renders the dashboard's Mustache templates (`Web/templates/*.mustache`, loaded once from the
/// bundle) into HTML.
///
/// `{{name}}` escapes `& < > " '`, so every submitted string is rendered with double braces.
/// The one place triple braces appear is `{{{…JSON}}}` inside `<script type="application/json">`
/// blocks, whose values are ``ScriptJSON`` (escaped for that context instead); a test keeps it so.
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
}
