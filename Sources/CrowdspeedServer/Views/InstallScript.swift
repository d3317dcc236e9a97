import Foundation

/// `/install.sh`: a POSIX `sh` script that installs the agent build matching the machine from
/// this server into `~/.local/bin` (no root), verifies its SHA-256 first, and writes the agent's
/// settings file so that `crowdspeed-agent run` submits to this server without `--server`. On a
/// platform this server has no build for, it says so and prints the from-source steps.
///
/// Everything the server writes into the script (its URL, the build names, the settings JSON)
/// is a single-quoted shell word, so no value can run as code.
public enum InstallScript {
    /// `value` as one single-quoted shell word.
    static func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The settings file's contents for `server`.
    static func settingsJSON(server: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(["server": server])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The script for `server` offering `builds` (names like `crowdspeed-agent-linux-x86_64`).
    public static func render(server: String, builds: [String]) -> String {
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return """
            #!/bin/sh
            # Installs crowdspeed-agent from \(trimmed.filter { !$0.isNewline })
            # into ~/.local/bin (no root needed) and makes it submit there by default.
            #   curl -fsSL \(trimmed.filter { !$0.isNewline })/install.sh | sh
            # Environment: CROWDSPEED_BIN_DIR (default ~/.local/bin), XDG_CONFIG_HOME (default ~/.config).
            set -eu

            server=\(quote(trimmed))
            builds=\(quote(builds.joined(separator: " ")))
            settings=\(quote(settingsJSON(server: trimmed)))

            say() { printf '%s\\n' "$*" >&2; }

            from_source() {
                say ""
                say "To build the agent from source instead (needs a Swift 6 toolchain and git):"
                say "  git clone <the Crowdspeed repository> crowdspeed && cd crowdspeed"
                say "  swift build -c release --product crowdspeed-agent"
                say "  .build/release/crowdspeed-agent run --server $server"
            }

            os=$(uname -s | tr '[:upper:]' '[:lower:]')
            arch=$(uname -m)
            case "$arch" in
                amd64) arch=x86_64 ;;
                arm64) arch=aarch64 ;;
            esac
            name="crowdspeed-agent-$os-$arch"

            case " $builds " in
                *" $name "*) ;;
                *)
                    say "crowdspeed: this server ($server) has no agent build for $os/$arch."
                    if [ -n "$builds" ]; then say "Builds on offer: $builds"; fi
                    from_source
                    exit 1
                    ;;
            esac

            fetch() {
                if command -v curl >/dev/null 2>&1; then
                    curl -fsSL -o "$2" "$1"
                elif command -v wget >/dev/null 2>&1; then
                    wget -q -O "$2" "$1"
                else
                    say "crowdspeed: neither curl nor wget is installed"
                    exit 1
                fi
            }

            sha256() {
                if command -v sha256sum >/dev/null 2>&1; then
                    sha256sum "$1" | cut -d ' ' -f 1
                elif command -v shasum >/dev/null 2>&1; then
                    shasum -a 256 "$1" | cut -d ' ' -f 1
                else
                    say "crowdspeed: neither sha256sum nor shasum is installed: cannot verify the download"
                    exit 1
                fi
            }

            bin_dir="${CROWDSPEED_BIN_DIR:-$HOME/.local/bin}"
            config_dir="${XDG_CONFIG_HOME:-$HOME/.config}/crowdspeed"
            tmp=$(mktemp -d)
            trap 'rm -rf "$tmp"' EXIT
            trap 'exit 130' INT TERM

            say "downloading $name from $server"
            fetch "$server\(AgentDownloadsController.basePath)/$name" "$tmp/$name"
            fetch "$server\(AgentDownloadsController.basePath)/$name.sha256" "$tmp/$name.sha256"
            expected=$(cut -d ' ' -f 1 < "$tmp/$name.sha256")
            actual=$(sha256 "$tmp/$name")
            if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
                say "crowdspeed: checksum mismatch for $name (expected $expected, got $actual); nothing installed"
                exit 1
            fi

            mkdir -p "$bin_dir" "$config_dir"
            chmod 755 "$tmp/$name"
            # Copied beside the target, then renamed: a running agent is never overwritten in place.
            cp "$tmp/$name" "$bin_dir/.crowdspeed-agent.new"
            mv -f "$bin_dir/.crowdspeed-agent.new" "$bin_dir/crowdspeed-agent"
            printf '%s\\n' "$settings" > "$config_dir/agent.json.new"
            mv -f "$config_dir/agent.json.new" "$config_dir/agent.json"

            say "installed $bin_dir/crowdspeed-agent (sha256 $actual)"
            say "it submits to $server by default (settings: $config_dir/agent.json)"
            case ":${PATH:-}:" in
                *":$bin_dir:"*) ;;
                *) say "add it to your PATH, e.g. in ~/.profile: export PATH=\\"$bin_dir:\\$PATH\\"" ;;
            esac
            say ""
            say "next: crowdspeed-agent run --quick --dry-run   (see what would be sent)"
            say "      crowdspeed-agent run                     (measure, then upload with your consent)"

            """
    }
}
