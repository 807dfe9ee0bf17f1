/*
 * sipscope — entry point: options, then one run: the interactive UI on a
 * terminal, else the text outputs.
 */
#include <locale.h>

#include "app/options.h"
#include "app/run.h"
#include "app/run_ui.h"

int main(int argc, char **argv)
{
	options o;
	int status = 0;
	setlocale(LC_ALL, "");
	if (!options_parse(argc, argv, &o, &status))
		return status;
	bool started = false;
	if (options_want_ui(&o))
		status = run_ui(&o, &started);
	if (!started)
		status = run_offline(&o);
	options_clear(&o);
	return status;
}
