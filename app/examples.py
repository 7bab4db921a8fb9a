"""The seeds' examples: inputs for the demo and acceptance cases for the tests."""

from __future__ import annotations

from state.faq import Source

ENERGY_SOURCES: list[Source] = [
    Source(
        title="The Benefits of Solar Energy",
        content=(
            "Solar energy is a renewable powerhouse, offering numerous environmental and economic "
            "benefits. By converting sunlight into electricity through photovoltaic (PV) panels, it "
            "reduces reliance on fossil fuels, thereby cutting down greenhouse gas emissions. "
            "Homeowners who install solar panels can significantly lower their monthly electricity "
            "bills, and in some cases, sell excess power back to the grid. While the initial "
            "installation cost can be high, government incentives and long-term savings make it a "
            "financially viable option for many. Solar power is also a key component in achieving "
            "energy independence for nations worldwide."
        ),
    ),
    Source(
        title="Understanding Wind Turbines",
        content=(
            "Wind turbines are towering structures that capture kinetic energy from the wind and "
            "convert it into electrical power. They are a critical part of the global shift towards "
            "sustainable energy. Turbines can be installed both onshore and offshore, with offshore "
            "wind farms generally producing more consistent power due to stronger, more reliable "
            "winds. The main challenge for wind energy is its intermittency\u2014it only generates "
            "power when the wind blows. This necessitates the use of energy storage solutions, like "
            "large-scale batteries, to ensure a steady supply of electricity."
        ),
    ),
    Source(
        title="Energy Storage Solutions",
        content=(
            "Effective energy storage is the key to unlocking the full potential of renewable sources "
            "like solar and wind. Because these sources are intermittent, storing excess energy when "
            "it's plentiful and releasing it when it's needed is crucial for a stable power grid. The "
            "most common form of large-scale storage is pumped-hydro storage, but battery "
            "technologies, particularly lithium-ion, are rapidly becoming more affordable and "
            "widespread. These batteries can be used in homes, businesses, and at the utility scale "
            "to balance energy supply and demand, making our energy system more resilient and "
            "reliable."
        ),
    ),
]

ROUTER_QUERIES: dict[str, str] = {
    "My internet connection is not working.": "Technical Support",
    "I think there is a mistake on my last invoice.": "Billing Inquiry",
    "What are your opening hours?": "General Question",
}

CUSTOMER_QUERY = (
    "Hi, I'm writing to you because I have a question about invoice #INV-7890. It seems higher "
    "than I expected.\nAlso, I would like to return the 'SuperWidget 5000' I bought because it's "
    "not compatible with my system.\nFinally, can you give me an update on my order #A-12345?"
)

BUSINESS_DOCUMENT = (
    "Northwind Energy reported strong growth in the third quarter of 2025, with revenue rising 18% "
    "to $42.5M as demand for home battery systems expanded across Germany and the Netherlands. "
    "CEO Maria Lopez said the partnership with Contoso Ltd gives the company an excellent "
    "opportunity to enter the utility-scale storage market. However, a shortage of lithium cells "
    "could delay deliveries in early 2026, and rising shipping costs remain a risk to margins. "
    "New EU regulations require all storage products to carry a battery passport by February "
    "2027, and the company must also complete ISO 27001 certification for its monitoring cloud. "
    "Customers praised the reliability of the new inverter line, although some complained about "
    "slow support response times. Management expects expansion into Spain to open significant "
    "savings potential through shared logistics."
)
