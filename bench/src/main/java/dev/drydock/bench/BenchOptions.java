package dev.drydock.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The benchmarks' command line: {@code --name value} or {@code --name=value} over a table of {name, default, help}. */
final class BenchOptions {
    private BenchOptions() {}

    /** The options with their defaults overridden by {@code args}; null after printing the help for -h/--help. */
    static Map<String, String> parse(String program, String[][] options, String quickRun, String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (String[] o : options) opt.put(o[0], o[1]);
        for (int k = 0; k < args.length; k++) {
            String a = args[k];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println("usage: " + program + " [--option value ...]");
                for (String[] o : options) System.out.printf("  --%-20s %s (default %s)%n", o[0], o[2], o[1]);
                System.out.println("quick run: " + quickRun);
                return null;
            }
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument " + a);
            String key = a.substring(2);
            String value;
            int eq = key.indexOf('=');
            if (eq >= 0) {
                value = key.substring(eq + 1);
                key = key.substring(0, eq);
            } else {
                if (k + 1 >= args.length) throw new IllegalArgumentException("--" + key + " needs a value");
                value = args[++k];
            }
            if (!opt.containsKey(key)) throw new IllegalArgumentException("unknown option --" + key + " (see --help)");
            opt.put(key, value);
        }
        return opt;
    }
}
