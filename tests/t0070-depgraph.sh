#!/bin/sh
# The dependency graph of common/ and cmd/ (tests/depgraph, make lint) has
# no cycle among modules or headers, and the script says so only when it
# is true: a small tree with a cycle fails, naming it.
. "$(dirname "$0")/lib.sh"

test_expect_success 'common/ and cmd/: no cycle, every tool with its modules' '
	python3 "$SRCDIR/tests/depgraph" "$JUKISEC_BUILD" >graph &&
	tail -1 graph | grep -q "^no cycle: [0-9]* modules, [0-9]* headers\$" &&
	grep -q "^links log-append: " graph && grep -q "^uses oplog: " graph &&
	grep -q "^include cmd/log-append.c: .*oplog.h" graph &&
	! grep -q "^links operator-list: .*\(enrol\|fp\|bio\)" graph
'

# Memory that cannot be had ends the process in mem.c and nowhere else
# (one message, the PAM module's bail): no other file of common/, cmd/ or
# pam/ calls the allocators whose failure mem.c's x* functions handle.
test_expect_success 'only mem.c calls the secure and aligned allocators' '
	(cd "$SRCDIR" && grep -lE "gcry_(malloc|calloc)_secure *\(|(^|[^x_])aligned_alloc *\(" \
	    common/*.c cmd/*.c pam/*.c) >callers &&
	echo common/mem.c | test_cmp - callers
'

# tree: a copy of the script in a tree of two modules, a and b, a calling
# b; with "cycle", b calls a back.
tree() {
	rm -rf t && mkdir -p t/tests t/common t/cmd t/build/common &&
	cp "$SRCDIR/tests/depgraph" t/tests/ &&
	printf "int b(void);\nint a(void) { return b(); }\n" >t/common/a.c &&
	if [ "${1:-}" = cycle ]; then
		printf "int a(void);\nint b(void) { return a() + 1; }\n" >t/common/b.c
	else
		printf "int b(void) { return 1; }\n" >t/common/b.c
	fi &&
	printf "int a(void);\nint main(void) { return a(); }\n" >t/cmd/tool.c &&
	cc -c -o t/build/common/a.o t/common/a.c && cc -c -o t/build/common/b.o t/common/b.c &&
	cc -o t/build/tool t/cmd/tool.c t/common/a.c t/common/b.c
}

test_expect_success 'a tree without a cycle passes, one with a cycle fails naming it' '
	tree && python3 t/tests/depgraph t/build >out &&
	grep -qx "uses a: b(b)" out && grep -qx "links tool: 2: a b" out &&
	tree cycle && test_must_fail 1 python3 t/tests/depgraph t/build >out &&
	grep -qx "cycle: a -> b -> a" out
'

test_expect_success 'a cycle among headers fails too' '
	tree && printf "#include \"y.h\"\n" >t/common/x.h &&
	printf "#include \"x.h\"\n" >t/common/y.h &&
	test_must_fail 1 python3 t/tests/depgraph t/build >out &&
	grep -qx "cycle: x.h -> y.h -> x.h" out
'

test_done
