/* The kill command (killcmd.c): /bin/kill's main and the shell's builtin. */
#pragma once

/* Run `kill` with argv[0..argc-1] (argv[0] is "kill"): the exit status. */
int kill_command(int argc, char **argv);
