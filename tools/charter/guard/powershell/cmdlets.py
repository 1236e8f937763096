"""What the guard knows about PowerShell's commands: aliases, cmdlets that run code,
and which cmdlets only read.

Aliases are resolved as Windows PowerShell defines them (where `curl`, `ls`, `sc`
are cmdlets), so a name can never reach a native program's rules when PowerShell
would run a cmdlet instead. Names are compared case-folded, as PowerShell does.
"""

from __future__ import annotations

# alias -> cmdlet (Windows PowerShell 5.1 and PowerShell 7 built-in aliases)
ALIASES = {
    "?": "Where-Object", "%": "ForEach-Object", "ac": "Add-Content", "cat": "Get-Content",
    "cd": "Set-Location", "chdir": "Set-Location", "clc": "Clear-Content", "clear": "Clear-Host",
    "cli": "Clear-Item", "clp": "Clear-ItemProperty", "cls": "Clear-Host", "clv": "Clear-Variable",
    "compare": "Compare-Object", "copy": "Copy-Item", "cp": "Copy-Item", "cpi": "Copy-Item",
    "curl": "Invoke-WebRequest", "del": "Remove-Item", "diff": "Compare-Object", "dir":
    "Get-ChildItem", "echo": "Write-Output", "epal": "Export-Alias", "epcsv": "Export-Csv",
    "erase": "Remove-Item", "etsn": "Enter-PSSession", "foreach": "ForEach-Object", "gal":
    "Get-Alias", "gc": "Get-Content", "gci": "Get-ChildItem", "gcm": "Get-Command", "gi":
    "Get-Item", "gl": "Get-Location", "gm": "Get-Member", "gp": "Get-ItemProperty", "gps":
    "Get-Process", "group": "Group-Object", "gsv": "Get-Service", "gv": "Get-Variable", "h":
    "Get-History", "history": "Get-History", "icm": "Invoke-Command", "iex": "Invoke-Expression",
    "ihy": "Invoke-History", "ii": "Invoke-Item", "ipal": "Import-Alias", "ipcsv": "Import-Csv",
    "ipmo": "Import-Module", "irm": "Invoke-RestMethod", "iwr": "Invoke-WebRequest", "kill":
    "Stop-Process", "lp": "Out-Printer", "ls": "Get-ChildItem", "man": "help", "md": "New-Item",
    "mkdir": "New-Item", "measure": "Measure-Object", "mi": "Move-Item", "mount": "New-PSDrive",
    "move": "Move-Item",
    "mp": "Move-ItemProperty", "mv": "Move-Item", "nal": "New-Alias", "ndr": "New-PSDrive",
    "ni": "New-Item", "nmo": "New-Module", "nsn": "New-PSSession", "nv": "New-Variable", "ogv":
    "Out-GridView", "oh": "Out-Host", "popd": "Pop-Location", "ps": "Get-Process", "pushd":
    "Push-Location", "pwd": "Get-Location", "r": "Invoke-History", "rd": "Remove-Item", "rdr":
    "Remove-PSDrive", "ren": "Rename-Item", "ri": "Remove-Item", "rjb": "Remove-Job", "rm":
    "Remove-Item", "rmdir": "Remove-Item", "rni": "Rename-Item", "rnp": "Rename-ItemProperty",
    "rp": "Remove-ItemProperty", "rsn": "Remove-PSSession", "rv": "Remove-Variable", "rvpa":
    "Resolve-Path", "sajb": "Start-Job", "sal": "Set-Alias", "saps": "Start-Process", "sasv":
    "Start-Service", "sbp": "Set-PSBreakpoint", "sc": "Set-Content", "select": "Select-Object",
    "set": "Set-Variable", "si": "Set-Item", "sl": "Set-Location", "sleep": "Start-Sleep", "sls":
    "Select-String", "sort": "Sort-Object", "sp": "Set-ItemProperty", "spps": "Stop-Process",
    "spsv": "Stop-Service", "start": "Start-Process", "sv": "Set-Variable", "tee": "Tee-Object",
    "type": "Get-Content", "where": "Where-Object", "wget": "Invoke-WebRequest", "write":
    "Write-Output", "ipsn": "Import-PSSession", "exsn": "Exit-PSSession", "fc": "Format-Custom",
    "fl": "Format-List", "ft": "Format-Table", "fw": "Format-Wide", "gjb": "Get-Job", "rcjb":
    "Receive-Job", "spjb": "Stop-Job", "wjb": "Wait-Job", "gin": "Get-ComputerInfo", "gtz":
    "Get-TimeZone", "stz": "Set-TimeZone", "scb": "Set-Clipboard", "gcb": "Get-Clipboard",
    "shcm": "Show-Command", "trcm": "Trace-Command", "rcsn": "Receive-PSSession", "npssc":
    "New-PSSessionConfigurationFile", "cnsn": "Connect-PSSession", "dnsn": "Disconnect-PSSession",
    "gsn": "Get-PSSession", "gcs": "Get-PSCallStack", "gdr": "Get-PSDrive", "ghy": "Get-History",
    "gmo": "Get-Module", "gpv": "Get-ItemPropertyValue", "gu": "Get-Unique", "gwmi":
    "Get-WmiObject", "iwmi": "Invoke-WmiMethod", "swmi": "Set-WmiInstance", "rwmi":
    "Remove-WmiObject", "gcim": "Get-CimInstance", "icim": "Invoke-CimMethod", "scim":
    "Set-CimInstance", "ncim": "New-CimInstance", "rcim": "Remove-CimInstance", "pumo":
    "Publish-Module", "rmo": "Remove-Module", "sasv2": "Start-Service", "ebp":
    "Enable-PSBreakpoint", "dbp": "Disable-PSBreakpoint", "rbp": "Remove-PSBreakpoint",
}  # fmt: skip

# cmdlets no policy may allow: they run code or programs the guard never sees, or change
# how later names resolve
REFUSED = {
    "invoke-expression": "runs a string as PowerShell code",
    "invoke-command": "runs a script block, locally or on another machine",
    "invoke-history": "re-runs earlier commands the guard does not see again",
    "invoke-item": "opens files with whatever program is associated with them",
    "start-process": "starts any program, outside the guard",
    "start-job": "runs a script block in the background",
    "start-threadjob": "runs a script block in the background",
    "foreach-object": "runs script blocks or calls methods on each object",
    "add-type": "compiles and loads code",
    "new-object": "creates COM and .NET objects that can run programs",
    "import-module": "loads code that can replace any command",
    "new-module": "defines commands from a script block",
    "new-alias": "changes what a name runs",
    "set-alias": "changes what a name runs",
    "import-alias": "changes what a name runs",
    "new-variable": "changes the shell's state",
    "set-variable": "changes the shell's state",
    "remove-variable": "changes the shell's state",
    "clear-variable": "changes the shell's state",
    "new-psdrive": "maps a drive onto any folder",
    "set-location": "changes the directory for the commands after it: run from the repository",
    "push-location": "changes the directory for the commands after it: run from the repository",
    "pop-location": "changes the directory for the commands after it: run from the repository",
    "set-executionpolicy": "changes which scripts PowerShell runs",
    "set-psdebug": "changes the shell's state",
    "set-strictmode": "changes the shell's state",
    "enter-pssession": "opens a shell on another machine",
    "new-pssession": "opens a session on another machine",
    "import-pssession": "imports commands from another machine",
    "invoke-wmimethod": "runs methods (and programs) through WMI",
    "invoke-cimmethod": "runs methods (and programs) through CIM",
    "register-scheduledtask": "schedules programs to run outside the session",
    "register-scheduledjob": "schedules script blocks to run outside the session",
    "register-objectevent": "runs script blocks on events",
    "register-engineevent": "runs script blocks on events",
    "trace-command": "runs a script block",
    "measure-command": "runs a script block",
}

# cmdlets that only read the paths they are given; any other cmdlet may write them
READ_ONLY = frozenset({
    "get-childitem", "get-content", "select-string", "get-item", "get-itemproperty",
    "test-path", "resolve-path", "get-location", "measure-object", "sort-object",
    "select-object", "where-object", "format-table", "format-list", "format-wide",
    "write-output", "write-host", "get-date", "get-command", "get-help", "help",
    "compare-object", "get-filehash", "group-object", "out-string", "out-null", "out-host",
    "convertto-json", "convertfrom-json", "join-path", "split-path", "get-process",
    "get-module", "get-member", "get-unique", "get-acl", "import-csv", "get-history",
    "get-alias", "test-json", "get-psdrive", "get-service", "get-computerinfo", "start-sleep",
})  # fmt: skip

# cmdlets that delete or overwrite whole files or folders
DESTRUCTIVE = frozenset({
    "remove-item", "clear-content", "clear-item", "move-item", "rename-item", "set-content",
    "out-file", "set-item", "remove-itemproperty",
})  # fmt: skip

# PowerShell's approved verbs: `Verb-Noun` with one of these is a cmdlet, not a program
VERBS = frozenset({
    "add", "approve", "assert", "backup", "block", "build", "checkpoint", "clear", "close",
    "compare", "complete", "compress", "confirm", "connect", "convert", "convertfrom",
    "convertto", "copy", "debug", "deny", "deploy", "disable", "disconnect", "dismount", "edit",
    "enable", "enter", "exit", "expand", "export", "find", "format", "get", "grant", "group",
    "hide", "import", "initialize", "install", "invoke", "join", "limit", "lock", "measure",
    "merge", "mount", "move", "new", "open", "optimize", "out", "ping", "pop", "protect",
    "publish", "push", "read", "receive", "redo", "register", "remove", "rename", "repair",
    "request", "reset", "resize", "resolve", "restart", "restore", "resume", "revoke", "save",
    "search", "select", "send", "set", "show", "skip", "split", "start", "step", "stop",
    "submit", "suspend", "switch", "sync", "tee", "test", "trace", "unblock", "undo",
    "uninstall", "unlock", "unprotect", "unpublish", "unregister", "update", "use", "wait",
    "watch", "where", "foreach", "write",
})  # fmt: skip

SHELL_NAMES = frozenset({"pwsh", "powershell", "pwsh-preview"})


def canonical(name: str) -> str:
    """The command PowerShell runs for `name`: an alias's cmdlet, else the name."""
    return ALIASES.get(name.lower(), name)


def is_cmdlet(name: str) -> bool:
    """A `Verb-Noun` name with an approved verb, or `help`: PowerShell's, not a program."""
    lowered = name.lower()
    if lowered == "help":
        return True
    verb, dash, noun = lowered.partition("-")
    return bool(dash) and verb in VERBS and bool(noun) and noun[0].isalpha()
