import Foundation

/// Page templates and static assets, bundled so an installed binary finds them.
public enum WebResources {
    /// The folder of page templates.
    public static var templates: URL { Bundle.module.url(forResource: "templates", withExtension: nil)! }
    /// The folder of static JS and CSS.
    public static var staticFiles: URL { Bundle.module.url(forResource: "static", withExtension: nil)! }
}
