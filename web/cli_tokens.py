"""``ansinh tokens …``: API tokens from the command line (the admin page's twin, for set-up scripts).

  ansinh tokens create NAME --for-user an --scopes tasks:read,tasks:write [--days 90]
  ansinh tokens create NAME --for-system vnpost --agency 2024:608/bd --scopes payouts:read,payouts:write
  ansinh tokens list [--json]
  ansinh tokens revoke PUBLIC_ID
The new token is printed once; only its hash is kept.
"""

from __future__ import annotations

from datetime import timedelta


def register(sub, command, show) -> None:
    def create(args) -> None:
        from workflows.apiaccess import SCOPES, create_token

        ctx = args.ctx()
        scopes = sorted(SCOPES) if args.scopes == "all" else [s.strip() for s in args.scopes.split(",") if s]
        made = create_token(
            ctx, args.name, scopes, ctx.now() + timedelta(days=args.days), args.user or "cli",
            username=args.for_user, system_name=args.for_system, agency_code=args.agency,
        )  # fmt: skip
        show(made, args.json, lambda m: [m.secret])

    def list_all(args) -> None:
        from workflows.apiaccess import list_tokens

        ctx = args.ctx()
        now = ctx.now()
        show(list_tokens(ctx), args.json, lambda tokens: [
            f"{t.public_id}\t{t.state(now)}\t{t.owner}\t{t.agency_code}\t{','.join(t.scopes)}\t{t.name}"
            for t in tokens
        ])  # fmt: skip

    def revoke(args) -> None:
        from workflows.apiaccess import revoke_token

        revoke_token(args.ctx(), args.public_id, args.user or "cli")
        print(f"revoked {args.public_id}")

    tokens = sub.add_parser("tokens", help="API tokens").add_subparsers(metavar="ACTION")
    p = command(tokens, "create", create, "create an API token (printed once)", json_flag=True)
    p.add_argument("name")
    owner = p.add_mutually_exclusive_group(required=True)
    owner.add_argument("--for-user", help="acts as this user (their agency's scope)")
    owner.add_argument("--for-system", help="a system's name; acts for --agency")
    p.add_argument("--agency", help="the agency a system token acts for")
    p.add_argument("--scopes", required=True, help="comma-separated, or 'all'")
    p.add_argument("--days", type=int, default=90, help="valid for this many days (at most 366)")
    command(tokens, "list", list_all, "list API tokens", json_flag=True)
    p = command(tokens, "revoke", revoke, "revoke an API token")
    p.add_argument("public_id")
