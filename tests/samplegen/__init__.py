"""The sample generator (a development tool, never imported by the product): every synthetic report document.

cd tests && ../.venv/bin/python -m samplegen.generate --out ../nianbao/demo/city     # the demo city
cd tests && ../.venv/bin/python -m samplegen.fixtures                                # tests/files + goldens
cd tests && ../.venv/bin/python -m samplegen.generate --out /tmp/big --scale 2500x4  # benchmarks
"""
