package dev.drydock.scanner.versions;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

/**
 * Maven artifact versions with the semantics of Maven's {@code ComparableVersion}: the lower-cased version is
 * parsed into nested lists of numbers and qualifiers ({@code .} separates items, {@code -} and a switch between
 * digits and letters start a sub-list); trailing "null" items (0, empty qualifier, {@code ga}, {@code final},
 * {@code release}, empty lists) are dropped. Qualifiers order {@code alpha < beta < milestone < rc = cr <
 * snapshot < "" = ga = final = release < sp < (any other, alphabetically)}; {@code a1}, {@code b1}, {@code m1} are
 * alpha/beta/milestone when a digit follows. A number is newer than a list, which is newer than a qualifier.
 */
public final class MavenVersion implements VersionComparator {
    public static final MavenVersion INSTANCE = new MavenVersion();

    private static final List<String> QUALIFIERS = List.of("alpha", "beta", "milestone", "rc", "snapshot", "", "sp");
    private static final String RELEASE_INDEX = String.valueOf(QUALIFIERS.indexOf(""));

    private MavenVersion() {}

    @Override
    public String name() { return "maven"; }

    @Override
    public int compare(String a, String b) {
        return parse(a).compareTo(parse(b));
    }

    private sealed interface Item permits Num, Qualifier, Items {
        /** Compares with another item, or with "nothing" when {@code other} is null. */
        int compareTo(Item other);

        boolean isNull();
    }

    private record Num(BigInteger value) implements Item {
        public int compareTo(Item other) {
            return switch (other) {
                case null -> value.signum() == 0 ? 0 : 1;
                case Num n -> value.compareTo(n.value);
                case Qualifier q -> 1;
                case Items l -> 1;
            };
        }

        public boolean isNull() { return value.signum() == 0; }
    }

    private record Qualifier(String value) implements Item {
        static Qualifier of(String raw, boolean followedByDigit) {
            if (followedByDigit && raw.length() == 1) {
                raw = switch (raw.charAt(0)) {
                    case 'a' -> "alpha";
                    case 'b' -> "beta";
                    case 'm' -> "milestone";
                    default -> raw;
                };
            }
            raw = switch (raw) {
                case "ga", "final", "release" -> "";
                case "cr" -> "rc";
                default -> raw;
            };
            return new Qualifier(raw);
        }

        /** The qualifier's rank as a string, so unknown qualifiers sort after the known ones and among themselves. */
        String rank() {
            int i = QUALIFIERS.indexOf(value);
            return i >= 0 ? String.valueOf(i) : QUALIFIERS.size() + "-" + value;
        }

        public int compareTo(Item other) {
            return switch (other) {
                case null -> Integer.signum(rank().compareTo(RELEASE_INDEX));
                case Num n -> -1;
                case Qualifier q -> Integer.signum(rank().compareTo(q.rank()));
                case Items l -> -1;
            };
        }

        public boolean isNull() { return rank().equals(RELEASE_INDEX); }
    }

    private record Items(List<Item> items) implements Item {
        Items() { this(new ArrayList<>()); }

        void normalize() {
            for (int i = items.size() - 1; i >= 0; i--) {
                Item last = items.get(i);
                if (last.isNull()) items.remove(i);
                else if (!(last instanceof Items)) break;
            }
        }

        public int compareTo(Item other) {
            return switch (other) {
                case null -> items.isEmpty() ? 0 : items.getFirst().compareTo(null);
                case Num n -> -1;
                case Qualifier q -> 1;
                case Items l -> {
                    int size = Math.max(items.size(), l.items.size());
                    for (int i = 0; i < size; i++) {
                        Item left = i < items.size() ? items.get(i) : null;
                        Item right = i < l.items.size() ? l.items.get(i) : null;
                        int c = left == null ? (right == null ? 0 : -right.compareTo(null)) : left.compareTo(right);
                        if (c != 0) yield c;
                    }
                    yield 0;
                }
            };
        }

        public boolean isNull() { return items.isEmpty(); }
    }

    private static Items parse(String version) {
        String v = version.strip().toLowerCase(Locale.ROOT);
        Items root = new Items();
        Items list = root;
        Deque<Items> stack = new ArrayDeque<>();
        stack.push(list);
        boolean digit = false;
        int start = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '.' || c == '-') {
                list.items.add(i == start ? new Num(BigInteger.ZERO) : item(digit, v.substring(start, i), false));
                start = i + 1;
                if (c == '-') {
                    list = openSublist(list, stack);
                }
            } else if (Character.isDigit(c)) {
                if (!digit && i > start) {
                    list.items.add(Qualifier.of(v.substring(start, i), true));
                    start = i;
                    list = openSublist(list, stack);
                }
                digit = true;
            } else {
                if (digit && i > start) {
                    list.items.add(item(true, v.substring(start, i), false));
                    start = i;
                    list = openSublist(list, stack);
                }
                digit = false;
            }
        }
        if (v.length() > start) list.items.add(item(digit, v.substring(start), false));
        while (!stack.isEmpty()) stack.pop().normalize();
        return root;
    }

    private static Items openSublist(Items parent, Deque<Items> stack) {
        Items sub = new Items();
        parent.items.add(sub);
        stack.push(sub);
        return sub;
    }

    private static Item item(boolean digit, String text, boolean followedByDigit) {
        return digit ? new Num(new BigInteger(text)) : Qualifier.of(text, followedByDigit);
    }
}
