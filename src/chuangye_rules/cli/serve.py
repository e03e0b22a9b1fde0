"""`serve`: the web screener on a local port."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .app import (
    LANG_OPT,
    RULEBOOKS_OPT,
    Lang,
    _extra,
    _fail,
    app,
)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址（默认只允许本机访问）"),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="端口（0：自动选一个空闲端口）"),
    rulebooks: Optional[List[Path]] = RULEBOOKS_OPT,
    lang: Lang = LANG_OPT,
) -> None:
    """网页版政策计算器和 HTTP API / the web screener and the HTTP API (docs at /docs)."""
    zh = lang is Lang.zh
    try:
        import uvicorn

        from ..web import create_app
    except ImportError as error:
        typer.echo(f"serve 需要网页组件，请安装：{_extra('web')}（缺少 {error.name}）" if zh else
                   f"serve needs the web extra: {_extra('web')} ({error.name} is missing)", err=True)
        raise typer.Exit(2)
    from ..base.problems import InputError

    try:
        web_app = create_app(rulebooks)
    except InputError as error:
        _fail(error, lang=lang.value)
    sock = _listening_socket(host, port, zh)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"政策计算器 / screener: http://{shown}:{port}/    API: http://{shown}:{port}/docs    "
               + ("（Ctrl+C 停止）" if zh else "(Ctrl+C stops it)"))
    if host not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"注意：监听 {host}，其他机器也可以访问本服务" if zh else
                   f"note: listening on {host}, other machines can reach this service", err=True)
    server = uvicorn.Server(uvicorn.Config(web_app, log_level="warning"))
    server.run(sockets=[sock])


def _listening_socket(host: str, port: int, zh: bool = True):
    """The server's socket, bound here rather than by uvicorn, so that a port in use (or a host that is not this
    machine's) is one Chinese line and exit 2 before anything is printed, and port 0 gives the port chosen."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        typer.echo(f"--host: 无法识别的地址 {host}（如 127.0.0.1 只允许本机访问，0.0.0.0 允许其他机器访问）" if zh else
                   f"--host: not an address: {host} (127.0.0.1: this machine only; 0.0.0.0: other machines too)", err=True)
        raise typer.Exit(2)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        why = {
            errno.EADDRINUSE: (f"端口 {port} 已被其他程序占用（可能已经启动过一次）",
                               f"port {port} is taken by another program (perhaps this one, started before)"),
            errno.EACCES: (f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限）",
                           f"no permission for port {port} (ports below 1024 need an administrator)"),
            errno.EADDRNOTAVAIL: (f"地址 {host} 不是本机的地址", f"{host} is not an address of this machine"),
        }.get(error.errno, (f"无法监听 {host}:{port}", f"cannot listen on {host}:{port}"))
        typer.echo(f"serve: {why[0]}；用 --port 指定另一个端口，或 --port 0 自动选择" if zh else
                   f"serve: {why[1]}; choose another port with --port, or --port 0 for any free one", err=True)
        raise typer.Exit(2)
    return sock


